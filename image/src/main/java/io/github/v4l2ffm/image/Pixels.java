package io.github.v4l2ffm.image;

/** ARGB rows to byte layouts. */
final class Pixels {
    private Pixels() {}

    static void fromArgb(int[] row, int w, byte[] dst, int d, JpegDecoder.Bytes order) {
        switch (order) {
            case RGB -> {
                for (int x = 0; x < w; x++, d += 3) {
                    int v = row[x];
                    dst[d] = (byte) (v >> 16);
                    dst[d + 1] = (byte) (v >> 8);
                    dst[d + 2] = (byte) v;
                }
            }
            case BGR -> {
                for (int x = 0; x < w; x++, d += 3) {
                    int v = row[x];
                    dst[d] = (byte) v;
                    dst[d + 1] = (byte) (v >> 8);
                    dst[d + 2] = (byte) (v >> 16);
                }
            }
            case GREY -> {
                // BT.601 luma of the R'G'B' values, in 8.8 fixed point with rounding
                for (int x = 0; x < w; x++) {
                    int v = row[x];
                    dst[d + x] = (byte) ((77 * (v >> 16 & 0xFF) + 150 * (v >> 8 & 0xFF) + 29 * (v & 0xFF) + 128) >> 8);
                }
            }
        }
    }
}
