/*
 * The minimal C capture loop the library is measured against (benchmarks/side-by-side.sh builds
 * it with gcc; nothing here is shipped). poll, VIDIOC_DQBUF, VIDIOC_QBUF, nothing else per frame.
 *
 *   capture-loop DEVICE FRAMES mmap|userptr|dmabuf[+eventfd] [WIDTH HEIGHT]   -> one line of figures
 *                                   (+eventfd: poll an eventfd nobody signals beside the device, as
 *                                   the library polls its stop eventfd: what that costs the kernel)
 *                                   (+epoll: wait as the library's stream does, in epoll_wait on an
 *                                   epoll instance holding the device, an eventfd and a timerfd armed
 *                                   for 5 s and armed again when it fires, with no timeout of its own:
 *                                   the kernel's work a frame the library's wait makes)
 *                                   (+touchK: read a byte from each of K pages of its own after every
 *                                   DQBUF, a working set as a JVM's frame touches: what each page
 *                                   the loop touches costs, which under an emulated CPU's software
 *                                   TLB is far more than on hardware)
 *   capture-loop DEVICE CALLS ioctl                                 -> ns per QUERYCAP, G_FMT, G_CTRL, S_CTRL,
 *                                                                      G_EXT_CTRLS, S_EXT_CTRLS
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-heap.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define NBUF 4
static int fd;

static void die(const char *what) { perror(what); exit(1); }
static int xioctl(unsigned long req, void *arg) {
    int r;
    do r = ioctl(fd, req, arg); while (r < 0 && errno == EINTR);
    return r;
}
static long long ns(clockid_t c) { struct timespec t; clock_gettime(c, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: capture-loop DEVICE N mmap|userptr|dmabuf|ioctl [W H]\n"); return 2; }
    fd = open(argv[1], O_RDWR | O_NONBLOCK);
    if (fd < 0) die("open");
    long n = atol(argv[2]);
    const char *mem = argv[3];
    struct v4l2_capability cap;
    if (xioctl(VIDIOC_QUERYCAP, &cap)) die("QUERYCAP");
    int mplane = (cap.device_caps & V4L2_CAP_VIDEO_CAPTURE_MPLANE) != 0;
    int type = mplane ? V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE : V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (!strcmp(mem, "ioctl")) {
        struct v4l2_format f = {.type = type};
        struct v4l2_control ctl = {.id = V4L2_CID_BRIGHTNESS};
        struct v4l2_ext_control ec = {.id = V4L2_CID_BRIGHTNESS};
        struct v4l2_ext_controls ecs = {.which = V4L2_CTRL_WHICH_CUR_VAL, .count = 1, .controls = &ec};
        enum { CALLS = 8 };
        static const char *names[CALLS] = {"querycap", "g_fmt", "g_ctrl", "s_ctrl", "s_ctrl_alt", "g_ext_ctrls", "s_ext_ctrls", "s_ext_ctrls_alt"};
        long long best[CALLS], t[CALLS + 1];
        for (int k = 0; k < CALLS; k++) best[k] = -1;
        /* 10 rounds, as the library's side; the fastest round of the last 5 (the least disturbed) */
        for (int round = 0; round < 10; round++) {
            t[0] = ns(CLOCK_MONOTONIC);
            for (long i = 0; i < n; i++) if (xioctl(VIDIOC_QUERYCAP, &cap)) die("QUERYCAP");
            t[1] = ns(CLOCK_MONOTONIC);
            for (long i = 0; i < n; i++) if (xioctl(VIDIOC_G_FMT, &f)) die("G_FMT");
            t[2] = ns(CLOCK_MONOTONIC);
            for (long i = 0; i < n; i++) if (xioctl(VIDIOC_G_CTRL, &ctl)) die("G_CTRL");
            t[3] = ns(CLOCK_MONOTONIC);
            /* S_CTRL: the same value every time, then two values in turn (the driver's s_ctrl runs) */
            for (long i = 0; i < n; i++) { ctl.value = 128; if (xioctl(VIDIOC_S_CTRL, &ctl)) die("S_CTRL"); }
            t[4] = ns(CLOCK_MONOTONIC);
            for (long i = 0; i < n; i++) { ctl.value = 100 + (i & 1); if (xioctl(VIDIOC_S_CTRL, &ctl)) die("S_CTRL"); }
            t[5] = ns(CLOCK_MONOTONIC);
            /* the same through the extended calls, which the library makes */
            for (long i = 0; i < n; i++) if (xioctl(VIDIOC_G_EXT_CTRLS, &ecs)) die("G_EXT_CTRLS");
            t[6] = ns(CLOCK_MONOTONIC);
            for (long i = 0; i < n; i++) { ec.value = 128; if (xioctl(VIDIOC_S_EXT_CTRLS, &ecs)) die("S_EXT_CTRLS"); }
            t[7] = ns(CLOCK_MONOTONIC);
            for (long i = 0; i < n; i++) { ec.value = 100 + (i & 1); if (xioctl(VIDIOC_S_EXT_CTRLS, &ecs)) die("S_EXT_CTRLS"); }
            t[8] = ns(CLOCK_MONOTONIC);
            if (round >= 5)
                for (int k = 0; k < CALLS; k++) if (best[k] < 0 || t[k + 1] - t[k] < best[k]) best[k] = t[k + 1] - t[k];
        }
        ctl.value = 128;
        xioctl(VIDIOC_S_CTRL, &ctl);
        for (int k = 0; k < CALLS; k++) printf("%s%s_ns %.1f", k ? " " : "", names[k], (double) best[k] / n);
        printf("\n");
        return 0;
    }
    int w = argc > 5 ? atoi(argv[4]) : 640, h = argc > 5 ? atoi(argv[5]) : 480;
    struct v4l2_format f = {.type = type};
    if (mplane) {
        f.fmt.pix_mp.width = w; f.fmt.pix_mp.height = h; f.fmt.pix_mp.pixelformat = V4L2_PIX_FMT_YUYV;
    } else {
        f.fmt.pix.width = w; f.fmt.pix.height = h; f.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
    }
    if (xioctl(VIDIOC_S_FMT, &f)) die("S_FMT");
    struct v4l2_streamparm parm = {.type = type};
    parm.parm.capture.timeperframe.numerator = 1;
    parm.parm.capture.timeperframe.denominator = 60;
    if (xioctl(VIDIOC_S_PARM, &parm)) die("S_PARM");
    unsigned size = mplane ? f.fmt.pix_mp.plane_fmt[0].sizeimage : f.fmt.pix.sizeimage;
    int with_eventfd = strstr(mem, "+eventfd") != NULL, with_epoll = strstr(mem, "+epoll") != NULL;
    const char *touch_opt = strstr(mem, "+touch");
    long touch = touch_opt ? atol(touch_opt + 6) : 0;
    volatile unsigned char *pages = NULL;
    if (touch > 0) {
        pages = mmap(NULL, touch * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (pages == MAP_FAILED) die("mmap pages");
        for (long k = 0; k < touch; k++) pages[k * 4096 + (k * 64) % 4096] = (unsigned char) k; /* each page there, a cache line each */
    }
    int memory = !strncmp(mem, "mmap", 4) ? V4L2_MEMORY_MMAP : !strncmp(mem, "userptr", 7) ? V4L2_MEMORY_USERPTR : V4L2_MEMORY_DMABUF;
    struct v4l2_requestbuffers rb = {.count = NBUF, .type = type, .memory = memory};
    if (xioctl(VIDIOC_REQBUFS, &rb)) die("REQBUFS");
    unsigned long ptr[NBUF] = {0};
    int dmafd[NBUF];
    int heap = memory == V4L2_MEMORY_DMABUF ? open("/dev/dma_heap/system", O_RDWR) : -1;
    if (memory == V4L2_MEMORY_DMABUF && heap < 0) die("open /dev/dma_heap/system");
    struct v4l2_plane planes[NBUF][1];
    struct v4l2_buffer bufs[NBUF];
    for (unsigned i = 0; i < rb.count && i < NBUF; i++) {
        struct v4l2_buffer *b = &bufs[i];
        memset(b, 0, sizeof *b);
        memset(planes[i], 0, sizeof planes[i]);
        b->type = type; b->memory = memory; b->index = i;
        if (mplane) { b->m.planes = planes[i]; b->length = 1; }
        if (memory == V4L2_MEMORY_MMAP) {
            if (xioctl(VIDIOC_QUERYBUF, b)) die("QUERYBUF");
            unsigned off = mplane ? planes[i][0].m.mem_offset : b->m.offset;
            unsigned len = mplane ? planes[i][0].length : b->length;
            if (mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off) == MAP_FAILED) die("mmap");
        } else if (memory == V4L2_MEMORY_USERPTR) {
            ptr[i] = (unsigned long) aligned_alloc(4096, (size + 4095) & ~4095u);
            if (mplane) { planes[i][0].m.userptr = ptr[i]; planes[i][0].length = size; }
            else { b->m.userptr = ptr[i]; b->length = size; }
        } else {
            struct dma_heap_allocation_data a = {.len = (size + 4095) & ~4095u, .fd_flags = O_RDWR | O_CLOEXEC};
            if (ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &a)) die("DMA_HEAP_IOCTL_ALLOC");
            dmafd[i] = a.fd;
            if (mplane) { planes[i][0].m.fd = a.fd; planes[i][0].length = a.len; }
            else { b->m.fd = a.fd; b->length = a.len; }
        }
        if (xioctl(VIDIOC_QBUF, b)) die("QBUF");
    }
    if (xioctl(VIDIOC_STREAMON, &type)) die("STREAMON");
    struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = with_eventfd ? eventfd(0, EFD_CLOEXEC) : -1, .events = POLLIN}};
    if (with_eventfd && p[1].fd < 0) die("eventfd");
    int ep = -1, timer = -1;
    struct itimerspec five = {.it_value = {.tv_sec = 5}};
    if (with_epoll) {
        ep = epoll_create1(EPOLL_CLOEXEC);
        int stop = eventfd(0, EFD_CLOEXEC);
        timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        if (ep < 0 || stop < 0 || timer < 0) die("epoll_create1, eventfd, timerfd_create");
        struct epoll_event e = {.events = EPOLLIN, .data.u64 = 0};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e)) die("epoll_ctl");
        e.data.u64 = 1;
        if (epoll_ctl(ep, EPOLL_CTL_ADD, stop, &e)) die("epoll_ctl");
        e.data.u64 = 2;
        if (epoll_ctl(ep, EPOLL_CTL_ADD, timer, &e)) die("epoll_ctl");
        if (timerfd_settime(timer, 0, &five, NULL)) die("timerfd_settime");
    }
    struct v4l2_buffer b;
    struct v4l2_plane pl[1];
    long long p0 = ns(CLOCK_PROCESS_CPUTIME_ID), t0 = ns(CLOCK_THREAD_CPUTIME_ID), m0 = ns(CLOCK_MONOTONIC);
    unsigned prev = 0, gaps = 0, repeats = 0;   /* frames the driver skipped; sequence numbers seen again */
    for (long i = 0; i < n; i++) {
        if (with_epoll) {
            struct epoll_event got[3];
            int ready = 0;
            while (!ready) {
                int r = epoll_wait(ep, got, 3, -1);
                if (r <= 0) die("epoll_wait");
                for (int k = 0; k < r; k++) {
                    if (got[k].data.u64 == 0) ready = 1;
                    else if (got[k].data.u64 == 2) {
                        unsigned long long count;
                        if (read(timer, &count, 8) != 8 || timerfd_settime(timer, 0, &five, NULL)) die("timer");
                    }
                }
            }
        } else if (poll(p, with_eventfd ? 2 : 1, 5000) <= 0 || !(p[0].revents & POLLIN)) die("poll");
        memset(&b, 0, sizeof b);
        b.type = type; b.memory = memory;
        if (mplane) { b.m.planes = pl; b.length = 1; }
        if (xioctl(VIDIOC_DQBUF, &b)) die("DQBUF");
        if (i > 0 && b.sequence > prev + 1) gaps += b.sequence - prev - 1;
        if (i > 0 && b.sequence <= prev) repeats++;
        prev = b.sequence;
        for (long k = 0; k < touch; k++) (void) pages[k * 4096 + (k * 64) % 4096];
        if (memory == V4L2_MEMORY_USERPTR) {
            if (mplane) { pl[0].m.userptr = ptr[b.index]; pl[0].length = size; } else { b.m.userptr = ptr[b.index]; b.length = size; }
        } else if (memory == V4L2_MEMORY_DMABUF) {
            if (mplane) pl[0].m.fd = dmafd[b.index]; else b.m.fd = dmafd[b.index];
        }
        if (xioctl(VIDIOC_QBUF, &b)) die("QBUF");
    }
    long long p1 = ns(CLOCK_PROCESS_CPUTIME_ID), t1 = ns(CLOCK_THREAD_CPUTIME_ID), m1 = ns(CLOCK_MONOTONIC);
    xioctl(VIDIOC_STREAMOFF, &type);
    printf("frames %ld process_us_per_frame %.1f thread_us_per_frame %.2f fps %.1f gaps %u repeats %u\n", n,
           (p1 - p0) / 1e3 / n, (t1 - t0) / 1e3 / n, n * 1e9 / (m1 - m0), gaps, repeats);
    return 0;
}
