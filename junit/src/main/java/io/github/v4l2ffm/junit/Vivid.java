package io.github.v4l2ffm.junit;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One instance of the vivid driver (the virtual video test driver), as its module parameters
 * {@code node_types}, {@code multiplanar} and {@code allocators} configure it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface Vivid {
    /** Single-planar ({@code multiplanar=1}) or multi-planar ({@code multiplanar=2}) API. */
    Planes planes() default Planes.SINGLE;

    /** The nodes the instance must have ({@code node_types}); the instance may have more. */
    VividNode[] nodes() default {VividNode.VIDEO_CAPTURE};

    /** The videobuf2 allocator ({@code allocators}): vmalloc allows MMAP, USERPTR and DMABUF. */
    Allocator allocator() default Allocator.VMALLOC;
}
