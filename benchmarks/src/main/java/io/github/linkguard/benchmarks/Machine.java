package io.github.linkguard.benchmarks;

/** The machine and JVM a run was made on, for the tables' caption. */
public final class Machine {

    private Machine() {
    }

    public static String describe() {
        Runtime runtime = Runtime.getRuntime();
        return "Machine: " + runtime.availableProcessors() + " CPUs, " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch") + ", Java " + System.getProperty("java.version") + " ("
                + System.getProperty("java.vm.name") + "), max heap " + runtime.maxMemory() / (1024 * 1024) + " MB\n";
    }
}
