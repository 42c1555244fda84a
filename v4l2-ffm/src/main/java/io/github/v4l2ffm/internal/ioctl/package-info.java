/**
 * One small wrapper per ioctl: the only code that touches the generated structs. Each takes its
 * inputs as parameters, returns what the kernel answered as Java values (or an outcome, for the
 * errnos that are outcomes of that call: {@code EAGAIN} and {@code EPIPE} from {@code VIDIOC_DQBUF},
 * {@code EINVAL} at the end of an enumeration), and says what every other errno means for that
 * call when it makes the exception ({@code internal.Errors}).
 */
package io.github.v4l2ffm.internal.ioctl;
