package io.github.v4l2ffm.junit;

import io.github.v4l2ffm.DeviceInfo;
import io.github.v4l2ffm.V4l2Device;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.opentest4j.TestAbortedException;

import java.lang.reflect.Method;
import java.util.Optional;

/**
 * The extension behind {@link WithV4l2Drivers}: gets the declared drivers before each test (see
 * there for the strategies), reports how, and resolves {@link Driver} and
 * {@link DriverEnvironment} parameters.
 */
public final class V4l2DriversExtension implements BeforeEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(V4l2DriversExtension.class);

    /** Created by JUnit through {@link WithV4l2Drivers}. */
    public V4l2DriversExtension() {
    }

    /** A request with where it was declared. */
    record Annotated(String source, Request request, boolean skipIfUnavailable) {}

    static Optional<Annotated> classAnnotation(Class<?> testClass) {
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            WithV4l2Drivers a = c.getAnnotation(WithV4l2Drivers.class);
            if (a != null) return Optional.of(new Annotated(c.getName(), Request.of(a, c.getName()), a.skipIfUnavailable()));
        }
        return Optional.empty();
    }

    private static Annotated annotated(ExtensionContext context) {
        Optional<Method> method = context.getTestMethod();
        if (method.isPresent()) {
            WithV4l2Drivers a = method.get().getAnnotation(WithV4l2Drivers.class);
            if (a != null) {
                String name = method.get().getDeclaringClass().getName() + "#" + method.get().getName();
                return new Annotated(name, Request.of(a, name), a.skipIfUnavailable());
            }
        }
        return classAnnotation(context.getRequiredTestClass())
                .orElseThrow(() -> new ExtensionConfigurationException("@WithV4l2Drivers is missing"));
    }

    /** The drivers of this test, got once per class (or per method that has its own annotation). */
    private static Drivers.Outcome outcome(ExtensionContext context) {
        Annotated a = annotated(context);
        ExtensionContext.Store store = context.getRoot().getStore(NS);
        Object got = store.getOrComputeIfAbsent("outcome:" + a.source(), k -> {
            try {
                Drivers.Outcome o = Drivers.ensure(a.request());
                if (o.environment().strategy() == Strategy.CONTAINER) {
                    // unload when the run ends (its root context closes last); see Drivers.retain
                    store.getOrComputeIfAbsent("unload", u -> {
                        Drivers.retain();
                        return (AutoCloseable) Drivers::release;
                    });
                }
                System.out.println("[v4l2-ffm-junit] " + a.source() + ": " + o.environment().detail());
                return o;
            } catch (Drivers.Unavailable e) {
                return e;
            }
        });
        if (got instanceof Drivers.Unavailable u) {
            if (a.skipIfUnavailable() && !u.conflict) throw new TestAbortedException(u.getMessage());
            throw new ExtensionConfigurationException(u.getMessage());
        }
        return (Drivers.Outcome) got;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Drivers.Outcome o = outcome(context);
        context.publishReportEntry("v4l2-drivers", o.environment().strategy() + ": " + o.environment().detail());
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        Class<?> t = p.getParameter().getType();
        if (t == DriverEnvironment.class) return true;
        return p.isAnnotated(Driver.class) && (t == DeviceInfo.class || t == V4l2Device.class);
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        Drivers.Outcome o = outcome(e);
        if (p.getParameter().getType() == DriverEnvironment.class) return o.environment();
        Driver d = p.findAnnotation(Driver.class).orElseThrow();
        Annotated a = annotated(e);
        if (!a.request().modules().contains(d.value())) {
            throw new ParameterResolutionException("@Driver(\"" + d.value() + "\") names a driver that @WithV4l2Drivers of "
                    + a.source() + " does not declare");
        }
        int instance = 0;
        if (d.value().equals("vivid")) {
            if (d.instance() < 0 || d.instance() >= o.vividInstances().length) {
                throw new ParameterResolutionException("@Driver(\"vivid\", instance = " + d.instance() + "): only "
                        + o.vividInstances().length + " vivid instance(s) are declared");
            }
            instance = o.vividInstances()[d.instance()];
        }
        DeviceInfo info = Nodes.find(d, instance).orElseThrow(() -> new ParameterResolutionException(
                "no " + d.value() + " node" + (d.value().equals("vivid") ? " " + d.node() + " of instance " + d.instance() : "")
                        + (d.name().isEmpty() ? "" : " named *" + d.name() + "*") + " can be opened"));
        if (p.getParameter().getType() == DeviceInfo.class) return info;
        V4l2Device dev = info.open();
        // closed with the context that resolved it (the test, or the class for @BeforeAll), under a key of its own
        e.getStore(NS).put(new Object(), (AutoCloseable) dev::close);
        return dev;
    }
}
