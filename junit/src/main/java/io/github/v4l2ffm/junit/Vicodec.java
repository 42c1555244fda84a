package io.github.v4l2ffm.junit;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The vicodec driver: stateful FWHT encoder and decoder and a stateless decoder, as its module
 * parameter {@code multiplanar} configures them.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface Vicodec {
    /** Single-planar ({@code multiplanar=0}) or multi-planar ({@code multiplanar=1}) API. */
    Planes planes() default Planes.SINGLE;
}
