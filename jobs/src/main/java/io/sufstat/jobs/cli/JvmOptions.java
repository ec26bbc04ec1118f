package io.sufstat.jobs.cli;

import org.apache.spark.launcher.JavaModuleOptions;

import java.util.ArrayList;
import java.util.List;

/**
 * Prints the JVM flags Spark needs on this Java ({@link JavaModuleOptions}, as spark-submit adds them),
 * dropping those the running JVM does not know, so that the local launcher starts the driver the way
 * spark-submit would.
 */
public final class JvmOptions {

    private JvmOptions() {
    }

    /** Spark's module options that this JVM accepts. */
    public static List<String> forThisJvm() {
        int feature = Runtime.version().feature();
        List<String> out = new ArrayList<>();
        for (String o : JavaModuleOptions.defaultModuleOptionArray()) {
            // --sun-misc-unsafe-memory-access exists from Java 23 on; older launchers reject it.
            if (o.startsWith("--sun-misc-unsafe-memory-access") && feature < 23) {
                continue;
            }
            out.add(o);
        }
        return out;
    }

    public static void main(String[] args) {
        System.out.println(String.join(" ", forThisJvm()));
    }
}
