package io.github.v4l2ffm.softcam;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.plugins.jpeg.JPEGHuffmanTable;
import javax.imageio.plugins.jpeg.JPEGImageReadParam;
import javax.imageio.plugins.jpeg.JPEGQTable;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The picture a {@link SoftwareCamera} sends: a grey ramp that moves with the frame, and the
 * frame's number (its low 16 bits) as 16 blocks of 8x8 pixels at the top left, white for a 1 and
 * black for a 0, most significant bit first, so that a test reads the number back from a YUYV
 * frame or a decoded JPEG alike. MJPEG frames are baseline JPEG without Huffman tables, as
 * webcams send them.
 */
public final class FramePattern {
    private FramePattern() {}

    /** Bits of the frame number in the pattern. */
    public static final int BITS = 16;
    private static final int BLOCK = 8;
    private static final int WHITE = 235, BLACK = 16;

    /** The luma of pixel (x, y) of frame {@code number}. */
    static int luma(int x, int y, int number) {
        if (y < BLOCK && x < BITS * BLOCK) {
            int bit = x / BLOCK;
            return ((number >>> (BITS - 1 - bit)) & 1) != 0 ? WHITE : BLACK;
        }
        if (y < BLOCK + 2) return 128;
        return 40 + ((x + y * 2 + number * 4) & 0x7f);
    }

    /** Frame {@code number} as YUYV, {@code width * 2} bytes per line, into {@code out}. */
    static void yuyv(byte[] out, int width, int height, int number) {
        int i = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x += 2) {
                out[i++] = (byte) luma(x, y, number);
                out[i++] = (byte) 128;
                out[i++] = (byte) luma(x + 1, y, number);
                out[i++] = (byte) 128;
            }
        }
    }

    /** Frame {@code number} as a JPEG without Huffman tables (quality 0.85). */
    static byte[] mjpeg(int width, int height, int number) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] grey = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) grey[y * width + x] = (byte) luma(x, y, number);
        }
        BufferedImage rgb = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        rgb.getGraphics().drawImage(img, 0, 0, null);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(0.85f);
            writer.write(null, new IIOImage(rgb, null, null), p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return withoutHuffmanTables(bytes.toByteArray());
    }

    /** The JPEG with its DHT segments removed: the decoder then uses the standard tables (JPEG Annex K). */
    static byte[] withoutHuffmanTables(byte[] jpeg) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length);
        out.write(jpeg, 0, 2); // SOI
        int i = 2;
        while (i + 4 <= jpeg.length) {
            if ((jpeg[i] & 0xff) != 0xff) throw new IllegalArgumentException("not a marker at " + i);
            int marker = jpeg[i + 1] & 0xff;
            if (marker == 0xda) { // SOS: the rest is entropy-coded data
                out.write(jpeg, i, jpeg.length - i);
                return out.toByteArray();
            }
            int length = ((jpeg[i + 2] & 0xff) << 8) | (jpeg[i + 3] & 0xff);
            if (marker != 0xc4) out.write(jpeg, i, length + 2);
            i += length + 2;
        }
        throw new IllegalArgumentException("no SOS in the JPEG");
    }

    /** The frame number (low 16 bits) in a YUYV frame with {@code bytesPerLine} bytes per line. */
    public static int numberFromYuyv(MemorySegment frame, int bytesPerLine) {
        int n = 0;
        for (int bit = 0; bit < BITS; bit++) {
            int sum = 0;
            for (int y = 2; y < 6; y++) {
                for (int x = bit * BLOCK + 2; x < bit * BLOCK + 6; x++) {
                    sum += Byte.toUnsignedInt(frame.get(ValueLayout.JAVA_BYTE, (long) y * bytesPerLine + x * 2L));
                }
            }
            n = (n << 1) | (sum / 16 > 128 ? 1 : 0);
        }
        return n;
    }

    /** The frame number (low 16 bits) in a decoded picture. */
    public static int numberFromImage(BufferedImage image) {
        int n = 0;
        for (int bit = 0; bit < BITS; bit++) {
            int sum = 0;
            for (int y = 2; y < 6; y++) {
                for (int x = bit * BLOCK + 2; x < bit * BLOCK + 6; x++) sum += image.getRGB(x, y) >> 8 & 0xff;
            }
            n = (n << 1) | (sum / 16 > 128 ? 1 : 0);
        }
        return n;
    }

    /**
     * Decodes a JPEG frame as webcams send it, with or without Huffman tables (the standard ones
     * are used when it has none).
     */
    public static BufferedImage decodeMjpeg(byte[] jpeg) {
        ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg").next();
        try (MemoryCacheImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(jpeg))) {
            reader.setInput(in);
            JPEGImageReadParam p = new JPEGImageReadParam();
            p.setDecodeTables(new JPEGQTable[] {JPEGQTable.K1Luminance, JPEGQTable.K2Chrominance},
                    new JPEGHuffmanTable[] {JPEGHuffmanTable.StdDCLuminance, JPEGHuffmanTable.StdDCChrominance},
                    new JPEGHuffmanTable[] {JPEGHuffmanTable.StdACLuminance, JPEGHuffmanTable.StdACChrominance});
            return reader.read(0, p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            reader.dispose();
        }
    }
}
