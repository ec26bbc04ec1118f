package io.sufstat.jobs.cli;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

class JvmOptionsTest {

    /** The build's spark.jvm.options (used by the tests' JVM) must hold every flag Spark asks for on this Java. */
    @Test
    void testJvmHasEverySparkModuleOption() {
        List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (String option : JvmOptions.forThisJvm()) {
            assertTrue(jvmArgs.contains(option), "the surefire argLine (pom.xml spark.jvm.options) lacks " + option);
        }
        assertTrue(JvmOptions.forThisJvm().contains("--add-modules=jdk.incubator.vector"));
    }
}
