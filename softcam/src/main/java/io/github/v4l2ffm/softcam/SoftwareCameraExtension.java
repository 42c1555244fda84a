package io.github.v4l2ffm.softcam;

import io.github.v4l2ffm.V4l2Device;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.TestAbortedException;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The extension behind {@link WithSoftwareCamera}: one camera per test, unplugged after it. */
public final class SoftwareCameraExtension implements BeforeEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(SoftwareCameraExtension.class);
    private static final AtomicInteger SERIAL = new AtomicInteger();

    /** Plugs the test's camera in before it runs (aborting it here, with skipIfUnavailable, is reported as skipped). */
    @Override
    public void beforeEach(ExtensionContext c) {
        camera(c);
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        Class<?> t = p.getParameter().getType();
        return t == SoftwareCamera.class || t == V4l2Device.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        SoftwareCamera cam = camera(c);
        if (p.getParameter().getType() == SoftwareCamera.class) return cam;
        V4l2Device dev = V4l2Device.open(cam.awaitNode(Duration.ofSeconds(60)));
        c.getStore(NS).put("device-" + p.getIndex(), (AutoCloseable) dev::close);
        return dev;
    }

    private static SoftwareCamera camera(ExtensionContext c) {
        return c.getStore(NS).getOrComputeIfAbsent("camera", k -> new Plugged(plug(c)), Plugged.class).camera();
    }

    /** The camera, unplugged when the test's store closes. */
    private record Plugged(SoftwareCamera camera) implements AutoCloseable {
        @Override
        public void close() {
            camera.close();
        }
    }

    /** The camera the annotation declares. */
    static CameraSpec spec(WithSoftwareCamera a, String serial) {
        CameraSpec w = CameraSpec.webcam(serial);
        List<String> controls = a.controls().length == 0 ? CameraSpec.CONTROLS : List.of(a.controls());
        if (a.yuyv().length == 0 && a.mjpeg().length == 0) {
            return new CameraSpec(w.vendorId(), w.productId(), w.manufacturer(), w.product(), serial, w.modes(), controls);
        }
        java.util.List<Integer> fps = java.util.Arrays.stream(a.fps()).boxed().toList();
        java.util.List<CameraSpec.Mode> modes = new java.util.ArrayList<>();
        for (String size : a.yuyv()) modes.add(mode(CameraSpec.Encoding.YUYV, size, fps));
        for (String size : a.mjpeg()) modes.add(mode(CameraSpec.Encoding.MJPEG, size, fps));
        return new CameraSpec(w.vendorId(), w.productId(), w.manufacturer(), w.product(), serial, modes, controls);
    }

    private static CameraSpec.Mode mode(CameraSpec.Encoding e, String size, java.util.List<Integer> fps) {
        String[] wh = size.split("x");
        if (wh.length != 2) throw new IllegalArgumentException("a frame size is WIDTHxHEIGHT: '" + size + "'");
        return new CameraSpec.Mode(e, Integer.parseInt(wh[0].trim()), Integer.parseInt(wh[1].trim()), fps);
    }

    /** The first attacher on the class path that can work here. */
    private static Attacher attacher() {
        String why = "no Attacher on the class path (v4l2-ffm-junit provides one)";
        for (Attacher a : java.util.ServiceLoader.load(Attacher.class, SoftwareCameraExtension.class.getClassLoader())) {
            if (a.isAvailable()) return a;
            why = a.unavailableReason();
        }
        throw new IllegalStateException(why);
    }

    private static SoftwareCamera plug(ExtensionContext c) {
        WithSoftwareCamera a = AnnotationSupport.findAnnotation(c.getElement(), WithSoftwareCamera.class)
                .or(() -> c.getTestClass().flatMap(k -> AnnotationSupport.findAnnotation(k, WithSoftwareCamera.class)))
                .orElseThrow(() -> new IllegalStateException("no @WithSoftwareCamera on " + c.getDisplayName()));
        boolean skip = a.skipIfUnavailable();
        String serial = "junit-" + ProcessHandle.current().pid() + "-" + SERIAL.incrementAndGet();
        CameraSpec spec = spec(a, serial);
        try {
            if ("root".equals(System.getProperty("user.name"))) {
                SoftwareCamera.loadModules();
                return SoftwareCamera.plug(spec);
            }
            Attacher attacher = attacher();
            attacher.loadModules();
            return SoftwareCamera.plug(spec, attacher);
        } catch (RuntimeException e) {
            String why = "no software camera can be plugged in here (" + e.getMessage() + "): it needs root and the modules"
                    + " (sudo modprobe vhci-hcd && sudo modprobe uvcvideo nodrop=1), or v4l2-ffm-junit on the class path and a"
                    + " Docker engine whose privileged containers load them, or run the tests in the lab VM";
            if (skip) throw new TestAbortedException(why, e);
            throw new IllegalStateException(why, e);
        }
    }
}
