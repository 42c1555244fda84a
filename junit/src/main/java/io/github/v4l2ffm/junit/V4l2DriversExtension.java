package io.github.v4l2ffm.junit;

import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.V4l2Device;
import io.github.v4l2ffm.V4l2Devices;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.opentest4j.TestAbortedException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The extension behind {@link WithV4l2Drivers}: checks the declared drivers are there before
 * each test, and resolves {@link Driver} parameters.
 */
public final class V4l2DriversExtension implements BeforeEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(V4l2DriversExtension.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        WithV4l2Drivers spec = spec(context);
        List<String> missing = new ArrayList<>();
        List<DeviceInfo> all = V4l2Devices.list();
        for (String d : spec.value()) {
            if (all.stream().noneMatch(i -> i.capabilities().driver().equals(d))) missing.add(d);
        }
        if (missing.isEmpty()) {
            context.publishReportEntry("v4l2-drivers", "loaded drivers found: " + String.join(", ", spec.value()));
            return;
        }
        String message = "the test needs the V4L2 drivers " + missing + ", which are not loaded. "
                + (Files.isDirectory(Path.of("/sys/module")) && !Files.exists(Path.of("/proc/modules"))
                ? "This kernel cannot load modules: run the tests in a VM (vivid-tests/lab/lab.sh). "
                : "Load them: " + loadCommand(spec, missing)
                + " (on Ubuntu the modules are in linux-modules-extra-$(uname -r)); make /dev/video* readable by the test's user.");
        if (spec.skipIfUnavailable()) throw new TestAbortedException(message);
        throw new ExtensionConfigurationException(message);
    }

    static String loadCommand(WithV4l2Drivers spec, List<String> drivers) {
        List<String> cmds = new ArrayList<>();
        for (String d : drivers) cmds.add("sudo modprobe " + d + (d.equals("vivid") ? " " + spec.vividParameters() : ""));
        return String.join("; ", cmds);
    }

    private static WithV4l2Drivers spec(ExtensionContext context) {
        Optional<WithV4l2Drivers> m = context.getTestMethod().map(x -> x.getAnnotation(WithV4l2Drivers.class));
        if (m.isPresent() && m.get() != null) return m.get();
        for (Class<?> c = context.getRequiredTestClass(); c != null; c = c.getEnclosingClass()) {
            WithV4l2Drivers a = c.getAnnotation(WithV4l2Drivers.class);
            if (a != null) return a;
        }
        throw new ExtensionConfigurationException("@WithV4l2Drivers is missing");
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        Class<?> t = p.getParameter().getType();
        return p.isAnnotated(Driver.class) && (t == DeviceInfo.class || t == V4l2Device.class);
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        Driver d = p.findAnnotation(Driver.class).orElseThrow();
        DeviceInfo info = V4l2Devices.list().stream()
                .filter(i -> i.capabilities().driver().equals(d.value()))
                .filter(i -> switch (d.planes()) {
                    case ANY -> true;
                    case SINGLE -> !i.capabilities().isMultiplanar();
                    case MULTI -> i.capabilities().isMultiplanar();
                })
                .findFirst()
                .orElseThrow(() -> new ParameterResolutionException("no " + d.value() + " node (" + d.planes() + ")"));
        if (p.getParameter().getType() == DeviceInfo.class) return info;
        V4l2Device dev = info.open();
        // closed after the test, with the extension context's store
        e.getStore(NS).put(p.getIndex() + ":" + info.path(), (ExtensionContext.Store.CloseableResource) dev::close);
        return dev;
    }
}
