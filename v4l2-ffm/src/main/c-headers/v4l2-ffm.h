/* The uapi headers the bindings are generated from (see VERSION). */
#include <linux/videodev2.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <linux/media.h>
