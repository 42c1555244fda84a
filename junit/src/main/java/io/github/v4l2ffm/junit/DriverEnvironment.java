package io.github.v4l2ffm.junit;

import java.util.Map;

/**
 * How the drivers of a {@link WithV4l2Drivers} test were had; a test method may take it as a
 * parameter.
 *
 * @param strategy how the modules came to be loaded
 * @param modules each requested module's parameters as the kernel reports them
 *        ({@code /sys/module/<name>/parameters}), for example {@code vivid -> "n_devs=2 multiplanar=1,2 ..."}
 * @param detail a sentence for people: which modules, loaded by what
 */
public record DriverEnvironment(Strategy strategy, Map<String, String> modules, String detail) {
}
