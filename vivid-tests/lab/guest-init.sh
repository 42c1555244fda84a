#!/bin/sh
# PID 1 of the lab VM, run from the host's file system (seen read-only through 9p, with a tmpfs
# overlay): mount what a system needs, load the V4L2 test drivers (and start dockerd if asked), run the
# job's command in the host's working directory, hand its exit status back and power off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
poweroff_now() { sync; echo o > /proc/sysrq-trigger; sleep 10; }
fail() { echo "lab-guest: $*"; [ -d /lab/job ] && echo 125 > /lab/job/status; poweroff_now; }
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mkdir -p /dev/pts /dev/shm && mount -t devpts devpts /dev/pts && mount -t tmpfs tmpfs /dev/shm
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null || true
opts=trans=virtio,version=9p2000.L,msize=512000
mkdir -p /lab/job && mount -t 9p -o $opts labjob /lab/job || fail "cannot mount the job directory"
. /lab/job/env
mkdir -p "$LAB_RW" && mount -t 9p -o $opts,cache=none labrw "$LAB_RW" || fail "cannot mount $LAB_RW"
# the kernel's module tree (with the drivers built by lab.sh prepare under extra/)
mkdir -p "/lib/modules/$LAB_KVER" && mount -t 9p -o $opts,ro labmods "/lib/modules/$LAB_KVER" \
  || fail "cannot mount the lab's kernel modules"
hostname v4l2-lab
ip link set lo up 2>/dev/null || true

# the drivers (V4L2_LAB_MODULES: which ones; empty for none, as the container stage wants)
modules=${V4L2_LAB_MODULES-vivid vim2m vicodec vimc v4l2loopback}
for m in $modules; do
  if [ "$m" = vivid ]; then modprobe vivid $LAB_VIVID || fail "modprobe vivid $LAB_VIVID failed"
  elif [ "$m" = v4l2loopback ]; then
    # two virtual cameras at fixed numbers past the other drivers' nodes (so they shift none):
    # /dev/video40 with exclusive_caps=1 (capture only while a producer streams, as browsers
    # want), /dev/video41 without (capture and output at all times)
    modprobe v4l2loopback devices=2 video_nr=40,41 exclusive_caps=1,0 max_buffers=8 \
      'card_label="v4l2-ffm virtual camera,v4l2-ffm loopback"' || fail "modprobe v4l2loopback failed"
  else modprobe "$m" || fail "modprobe $m failed"; fi
done
# wait for the nodes (vimc's pipeline registers asynchronously): 9 with all four drivers, 2 more
# with v4l2loopback
case " $modules " in *" vivid vim2m vicodec vimc "*)
  n=9; case " $modules " in *" v4l2loopback "*) n=11 ;; esac
  i=0; while [ $i -lt 50 ] && [ "$(ls /dev/video* 2>/dev/null | wc -l)" -lt $n ]; do sleep 0.1; i=$((i + 1)); done ;;
esac
chmod 0666 /dev/video* /dev/media* /dev/v4l-subdev* /dev/udmabuf /dev/dma_heap/* 2>/dev/null || true

# a Docker engine (V4L2_LAB_DOCKER=1), for the tests of the container strategy: the host's
# docker.io binaries, its storage on a tmpfs, no networking (no bridge, no iptables)
if [ "${V4L2_LAB_DOCKER:-0}" = 1 ]; then
  modprobe overlay 2>/dev/null || true
  mkdir -p /var/lib/docker /etc/docker && mount -t tmpfs tmpfs /var/lib/docker
  t0=$(date +%s)
  # dockerd gives up when its containerd is slow to answer (seen with four VMs on two CPUs:
  # "timeout waiting for containerd to start"): start it again, three times at most
  tries=0
  while [ $tries -lt 3 ]; do
    tries=$((tries + 1))
    dockerd --iptables=false --ip6tables=false --bridge=none --data-root /var/lib/docker \
      >>/tmp/dockerd.log 2>&1 &
    dpid=$!
    i=0; while [ $i -lt 600 ] && kill -0 $dpid 2>/dev/null && ! docker -H unix:///var/run/docker.sock version >/dev/null 2>&1; do sleep 0.1; i=$((i + 1)); done
    kill -0 $dpid 2>/dev/null && break
    echo "lab-guest: dockerd exited (attempt $tries): $(tail -1 /tmp/dockerd.log)"
    pkill -x containerd 2>/dev/null; sleep 1   # the containerd it started, if it outlived it
  done
  docker -H unix:///var/run/docker.sock version >/dev/null 2>&1 || { cat /tmp/dockerd.log; fail "dockerd did not start"; }
  echo "lab-guest: dockerd $(dockerd --version | cut -d' ' -f3 | tr -d ,) answered after $(( $(date +%s) - t0 )) s"
fi
echo "lab-guest: Linux $(uname -r), $(ls /dev/video* 2>/dev/null | wc -l) video nodes"

cd "$LAB_CWD" 2>/dev/null || cd "$LAB_RW"
if [ "$LAB_MODE" = shell ]; then
  # a session with the serial port as its controlling terminal, so Ctrl-C reaches the shell's job
  setsid sh -c 'exec /bin/sh /lab/job/cmd </dev/ttyS0 >/dev/ttyS0 2>&1'
  rc=$?
else
  /bin/sh /lab/job/cmd </dev/null
  rc=$?
fi
echo $rc > /lab/job/status
poweroff_now
