package io.github.v4l2ffm.junit;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The vim2m driver: a memory-to-memory device that converts between RGB and YUV formats. */
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface Vim2m {
}
