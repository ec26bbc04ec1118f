package io.sufstat.jobs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line as a scheduler sees it: a separate JVM, its exit status and its last words. */
class SufstatMainTest {

    private record Result(int exit, String out, String err) {
    }

    private static Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-") || a.startsWith("-XX:+Ignore") || a.startsWith("-Dio.netty")
                    || a.startsWith("--enable-native")) {
                cmd.add(a);
            }
        }
        cmd.add("-Xmx1g");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Sufstat.class.getName());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("sufstat-out", ".txt");
        Path err = Files.createTempFile("sufstat-err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "sufstat did not finish");
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void helpAndUsageErrors() throws Exception {
        Result help = run("--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("mle") && help.out().contains("generate"));
        Result jobHelp = run("mle", "--help");
        assertEquals(0, jobHelp.exit());
        assertTrue(jobHelp.out().contains("--on-bad-record"));
        assertEquals(2, run().exit());
        Result unknownJob = run("fit-everything");
        assertEquals(2, unknownJob.exit());
        assertTrue(unknownJob.err().contains("unknown job"));
        Result badOption = run("mle", "--input", "x", "--output", "y", "--tole", "3");
        assertEquals(2, badOption.exit());
        assertTrue(badOption.err().contains("unknown option --tole"), badOption.err());
        assertTrue(badOption.err().contains("Usage: sufstat mle"), badOption.err());
    }

    @Test
    void successExitsZeroAndFailureNonZeroWithOneClearLine() throws Exception {
        Path dir = Files.createTempDirectory("sufstat-main");
        Path iris = MleJobLocator.iris();
        Result ok = run("mle", "--input", iris.toString(), "--output", dir.resolve("ok").toString());
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(Files.exists(dir.resolve("ok/_SUCCESS")));
        Result failed = run("mle", "--input", dir.resolve("missing.csv").toString(), "--output", dir.resolve("no").toString());
        assertNotEquals(0, failed.exit());
        assertTrue(failed.err().contains("no input files match"), failed.err());
        assertFalse(failed.err().contains("\tat "), "a user error prints no stack trace:\n" + failed.err());
        assertFalse(Files.exists(dir.resolve("no")));
    }

    /** Where the sample data are, from the module directory or the repository root. */
    static final class MleJobLocator {
        static Path iris() {
            Path p = Path.of("../sample-data/iris.csv");
            return (Files.exists(p) ? p : Path.of("sample-data/iris.csv")).toAbsolutePath().normalize();
        }
    }
}
