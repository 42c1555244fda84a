package io.github.v4l2ffm.junit;

/** How the drivers a test asked for were had. */
public enum Strategy {
    /** The modules were loaded already, with parameters that give what the test asked for. */
    PRESENT,
    /** A privileged Docker container loaded them into this machine's kernel for this test run. */
    CONTAINER
}
