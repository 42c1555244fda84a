package io.github.v4l2ffm.image;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.plugins.jpeg.JPEGHuffmanTable;
import javax.imageio.plugins.jpeg.JPEGImageReadParam;
import javax.imageio.plugins.jpeg.JPEGQTable;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The JDK's own JPEG decoder, where libjpeg-turbo is not installed. Frames without Huffman
 * tables (as webcams send them) are decoded with the standard tables of the JPEG standard
 * (annex K.3). Slower than libjpeg-turbo, and it allocates per frame (a copy of the data and an
 * image): see the README's figures.
 */
final class ImageIoJpeg implements JpegDecoder {
    private final ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg").next();
    private final JPEGImageReadParam param = new JPEGImageReadParam();

    /** The first warning of the frame being decoded: ImageIO only warns about a truncated frame. */
    private String warning;

    ImageIoJpeg() {
        reader.addIIOReadWarningListener((source, message) -> {
            if (warning == null) warning = message;
        });
        param.setDecodeTables(new JPEGQTable[] {JPEGQTable.K1Luminance, JPEGQTable.K2Chrominance},
                new JPEGHuffmanTable[] {JPEGHuffmanTable.StdDCLuminance, JPEGHuffmanTable.StdDCChrominance},
                new JPEGHuffmanTable[] {JPEGHuffmanTable.StdACLuminance, JPEGHuffmanTable.StdACChrominance});
    }

    @Override
    public String name() {
        return "ImageIO";
    }

    private BufferedImage read(MemorySegment jpeg, int w, int h) {
        byte[] data = jpeg.toArray(JAVA_BYTE);
        BufferedImage img;
        warning = null;
        try (MemoryCacheImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            reader.setInput(in);
            img = reader.read(0, param);
        } catch (IOException | RuntimeException e) {
            throw new CorruptFrameException("undecodable JPEG frame (" + data.length + " bytes): " + e.getMessage(), e);
        } finally {
            reader.setInput(null);
        }
        if (warning != null) throw new CorruptFrameException("damaged JPEG frame (" + data.length + " bytes): " + warning);
        if (img.getWidth() != w || img.getHeight() != h) {
            throw new CorruptFrameException("the JPEG frame is " + img.getWidth() + "x" + img.getHeight()
                    + ", the format says " + w + "x" + h);
        }
        return img;
    }

    @Override
    public void decodeArgb(MemorySegment jpeg, int w, int h, int[] dst) {
        read(jpeg, w, h).getRGB(0, 0, w, h, dst, 0, w);
    }

    @Override
    public void decodeBytes(MemorySegment jpeg, int w, int h, byte[] dst, Bytes order) {
        BufferedImage img = read(jpeg, w, h);
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            Pixels.fromArgb(row, w, dst, y * w * (order == Bytes.GREY ? 1 : 3), order);
        }
    }

    @Override
    public void close() {
        reader.dispose();
    }
}
