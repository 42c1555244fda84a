/**
 * Java bindings to Linux Video4Linux2 on the Foreign Function and Memory API.
 *
 * <p>The library calls libc ({@code open}, {@code ioctl}, {@code mmap}, {@code poll}) directly:
 * run with {@code --enable-native-access=io.github.v4l2ffm} (on the module path) or
 * {@code --enable-native-access=ALL-UNNAMED} (on the class path).
 */
module io.github.v4l2ffm {
    // the frame events (internal.jfr): recorded when the runtime has the Flight Recorder, optional otherwise
    requires static jdk.jfr;

    exports io.github.v4l2ffm;
}
