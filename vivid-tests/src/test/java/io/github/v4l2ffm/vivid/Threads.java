package io.github.v4l2ffm.vivid;

import java.util.concurrent.Executor;

/** Threads for tests that wait on devices from several threads at once. */
final class Threads {
    /**
     * Runs each task on a thread of its own. For {@code CompletableFuture.supplyAsync}: its
     * default pool runs one task at a time on a one-CPU machine (the lab VM), so a second waiter
     * would not start until the first returned.
     */
    static final Executor NEW_THREAD_EACH = task -> Thread.ofPlatform().daemon().name("test-waiter").start(task);

    private Threads() {
    }
}
