package io.github.v4l2ffm;

/**
 * A rectangle ({@code struct v4l2_rect}), as selection targets use it.
 *
 * @param left left edge
 * @param top top edge
 * @param width width
 * @param height height
 */
public record Rect(int left, int top, int width, int height) {
}
