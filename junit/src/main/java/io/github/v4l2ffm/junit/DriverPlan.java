package io.github.v4l2ffm.junit;

import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads every {@link WithV4l2Drivers} request of the test plan before the first test runs, so
 * that a module is loaded once with parameters that serve every class. Registered with the
 * JUnit Platform launcher through {@code META-INF/services}; where no launcher calls it, requests
 * are merged as classes come.
 */
public final class DriverPlan implements TestExecutionListener {
    private static final Map<String, Request> REQUESTS = new LinkedHashMap<>();

    /** Called by the JUnit Platform launcher. */
    public DriverPlan() {
    }

    @Override
    public void testPlanExecutionStarted(TestPlan plan) {
        Map<String, Request> found = new LinkedHashMap<>();
        for (TestIdentifier root : plan.getRoots()) {
            for (TestIdentifier id : plan.getDescendants(root)) {
                id.getSource().ifPresent(s -> add(s, found));
            }
        }
        synchronized (DriverPlan.class) {
            REQUESTS.clear();
            REQUESTS.putAll(found);
        }
    }

    private static void add(TestSource source, Map<String, Request> found) {
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            if (source instanceof ClassSource cs) {
                Class<?> c = Class.forName(cs.getClassName(), false, loader);
                V4l2DriversExtension.classAnnotation(c).ifPresent(a -> found.putIfAbsent(a.source(), a.request()));
            } else if (source instanceof MethodSource ms) {
                Class<?> c = Class.forName(ms.getClassName(), false, loader);
                for (Method m : c.getDeclaredMethods()) {
                    WithV4l2Drivers a = m.getName().equals(ms.getMethodName()) ? m.getAnnotation(WithV4l2Drivers.class) : null;
                    if (a != null) {
                        String name = c.getName() + "#" + m.getName();
                        found.putIfAbsent(name, Request.of(a, name));
                    }
                }
            }
        } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
            // a class the launcher will report on itself; its request is merged when it runs
        }
    }

    /** The requests of the current test plan, in plan order. */
    static synchronized List<Request> requests() {
        return new ArrayList<>(REQUESTS.values());
    }
}
