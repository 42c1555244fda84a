package io.github.v4l2ffm.internal.ioctl;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The kept answer of a query: the same record while the bytes compared are the same, none once one differs. */
class KeptAnswerTest {

    @Test
    void matchesOnlyTheBytesItKeptOverTheLengthAsked() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment answer = arena.allocate(208, 8);
            for (int i = 0; i < 208; i++) answer.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7 + 1));
            KeptAnswer<String> kept = new KeptAnswer<>(208);
            assertNull(kept.match(answer, 208), "nothing kept yet");
            String record = "the record";
            kept.keep(answer, record);
            assertSame(record, kept.match(answer, 208));
            assertSame(record, kept.match(answer, 56));

            // every byte of the length asked counts, the first and the last included
            for (int at : new int[] {0, 7, 8, 55}) {
                byte was = answer.get(ValueLayout.JAVA_BYTE, at);
                answer.set(ValueLayout.JAVA_BYTE, at, (byte) (was ^ 0x10));
                assertNull(kept.match(answer, 56), "byte " + at + " changed");
                assertNull(kept.match(answer, 208), "byte " + at + " changed");
                answer.set(ValueLayout.JAVA_BYTE, at, was);
            }
            // a byte past the length asked is not compared: a single-planar format's record is
            // made from its first 56 bytes
            answer.set(ValueLayout.JAVA_BYTE, 56, (byte) 0);
            assertSame(record, kept.match(answer, 56));
            assertNull(kept.match(answer, 208));
            answer.set(ValueLayout.JAVA_BYTE, 207, (byte) 0);
            assertNull(kept.match(answer, 208), "the last byte counts too");

            // a new answer replaces the old one
            String next = "the next record";
            kept.keep(answer, next);
            assertSame(next, kept.match(answer, 208));
        }
    }

    @Test
    void sizeIsWholeWords() {
        assertThrows(IllegalArgumentException.class, () -> new KeptAnswer<>(20));
    }
}
