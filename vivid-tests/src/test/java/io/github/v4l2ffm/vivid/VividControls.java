package io.github.v4l2ffm.vivid;

import java.nio.file.Path;

/**
 * Sets vivid's test pattern and other controls by name, so the capture tests know what the frames
 * must hold. Through the library, in this JVM (starting v4l2-ctl costs a third of a second in the
 * lab VM; {@code ControlsMatchV4l2CtlTest} checks the library and v4l2-ctl agree).
 */
final class VividControls {
    private VividControls() {}

    /** Sets a solid-colour (or any other) pattern by its menu name, e.g. "100% Red", and hides the on-screen text. */
    static void pattern(Path device, String name) {
        try (io.github.v4l2ffm.V4l2Device d = io.github.v4l2ffm.V4l2Device.open(device)) {
            io.github.v4l2ffm.Controls c = d.controls();
            io.github.v4l2ffm.ControlInfo pattern = byKey(c, "test_pattern");
            int index = pattern.menuIndex(name).orElseThrow(() -> new AssertionError("no menu item '" + name + "' for test_pattern"));
            c.batch().set(pattern.id(), index).set(byKey(c, "osd_text_mode").id(), 2).apply();
        }
    }

    /** Sets controls by their v4l2-ctl names, e.g. {@code set(dev, "y_cbcr_encoding", 1, "quantization", 2)}, in one call. */
    static void set(Path device, Object... keysAndValues) {
        try (io.github.v4l2ffm.V4l2Device d = io.github.v4l2ffm.V4l2Device.open(device)) {
            io.github.v4l2ffm.Controls c = d.controls();
            io.github.v4l2ffm.Controls.Batch b = c.batch();
            for (int i = 0; i < keysAndValues.length; i += 2) {
                b.set(byKey(c, (String) keysAndValues[i]).id(), ((Number) keysAndValues[i + 1]).longValue());
            }
            b.apply();
        }
    }

    private static io.github.v4l2ffm.ControlInfo byKey(io.github.v4l2ffm.Controls c, String key) {
        return c.list().stream().filter(i -> i.key().equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError("no control " + key));
    }

    /**
     * Puts back what tests change and the colours depend on: the webcam input, brightness,
     * contrast, saturation, hue (RandomOperationsTest sets brightness at random), and the 75%
     * colour bar pattern.
     */
    static void pictureDefaults(io.github.v4l2ffm.DeviceInfo info) {
        try (io.github.v4l2ffm.V4l2Device d = info.open()) {
            if (!d.inputs().isEmpty()) d.setInput(0);
            io.github.v4l2ffm.Controls c = d.controls();
            for (int id : new int[]{io.github.v4l2ffm.Cid.BRIGHTNESS, io.github.v4l2ffm.Cid.CONTRAST,
                    io.github.v4l2ffm.Cid.SATURATION, io.github.v4l2ffm.Cid.HUE}) {
                c.set(id, c.info(id).defaultValue());
            }
            c.find("Test Pattern").ifPresent(t -> c.set(t.id(), 0));   // 75% Colorbar

        }
    }
}
