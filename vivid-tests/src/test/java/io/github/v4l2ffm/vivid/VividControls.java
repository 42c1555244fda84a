package io.github.v4l2ffm.vivid;

import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Sets vivid's test pattern through v4l2-ctl, finding menu items by name, so the capture tests
 * know what the frames must hold.
 */
final class VividControls {
    private VividControls() {}

    /** Sets a solid-colour (or any other) pattern by its menu name, e.g. "100% Red", and hides the on-screen text. */
    static void pattern(Path device, String name) throws IOException, InterruptedException {
        String menus = V4l2Ctl.run("--list-ctrls-menus", "-d", device.toString());
        int index = menuIndex(menus, "test_pattern", name);
        V4l2Ctl.run("-d", device.toString(), "--set-ctrl", "test_pattern=" + index + ",osd_text_mode=2");
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

    static int menuIndex(String listing, String control, String item) {
        int start = listing.indexOf(" " + control + " ");
        if (start < 0) fail("no control " + control + " in:\n" + listing);
        Matcher m = Pattern.compile("^\\s+(\\d+): " + Pattern.quote(item) + "$", Pattern.MULTILINE).matcher(listing);
        if (!m.find(start)) fail("no menu item '" + item + "' for " + control);
        return Integer.parseInt(m.group(1));
    }
}
