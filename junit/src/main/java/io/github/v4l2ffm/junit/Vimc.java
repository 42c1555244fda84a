package io.github.v4l2ffm.junit;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The vimc driver: a virtual media controller pipeline (sensors, debayer, scaler, capture nodes). */
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface Vimc {
}
