package io.github.v4l2ffm.vivid;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Counts the library's descriptors and mappings ({@link LabDevices}) before each test and fails
 * the test if they are not back to that count after it. Devices a test gets as parameters are
 * closed only after this check: such tests open their devices themselves.
 */
final class NothingLeaks implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NothingLeaks.class);

    private record Counts(long fds, long maps) {
    }

    @Override
    public void beforeEach(ExtensionContext c) {
        c.getStore(NS).put("before", new Counts(LabDevices.openFds(), LabDevices.mappings()));
    }

    @Override
    public void afterEach(ExtensionContext c) {
        Counts before = c.getStore(NS).get("before", Counts.class);
        assertEquals(before.fds(), LabDevices.openFds(), "file descriptors leaked");
        assertEquals(before.maps(), LabDevices.mappings(), "mappings leaked");
    }
}
