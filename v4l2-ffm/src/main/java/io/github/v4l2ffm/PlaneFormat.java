package io.github.v4l2ffm;

/**
 * The layout of one memory plane of a format.
 *
 * @param bytesPerLine the stride: bytes from the start of one line to the next (0 for compressed formats)
 * @param sizeImage the bytes a buffer of this plane must hold
 */
public record PlaneFormat(int bytesPerLine, int sizeImage) {
}
