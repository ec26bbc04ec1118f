package io.sufstat.jobs;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static io.sufstat.jobs.Subprocess.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line as a scheduler sees it: a separate JVM, its exit status and its last words. */
class SufstatMainTest {

    static Path iris() {
        return BadInputCatalogueTest.Fixtures.repository().resolve("sample-data/iris.csv");
    }

    @Test
    void helpAndUsageErrors() throws Exception {
        Subprocess.Result help = run("--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("mle") && help.out().contains("generate"));
        Subprocess.Result jobHelp = run("mle", "--help");
        assertEquals(0, jobHelp.exit());
        assertTrue(jobHelp.out().contains("--on-bad-record"));
        assertEquals(2, run().exit());
        Subprocess.Result unknownJob = run("fit-everything");
        assertEquals(2, unknownJob.exit());
        assertEquals(1, unknownJob.errLines().size(), unknownJob.err());
        assertTrue(unknownJob.err().contains("unknown job"));
        Subprocess.Result badOption = run("mle", "--input", "x", "--output", "y", "--tole", "3");
        assertEquals(2, badOption.exit());
        assertEquals(1, badOption.errLines().size(), badOption.err());
        assertTrue(badOption.err().contains("unknown option --tole") && badOption.err().contains("Usage: sufstat mle"),
                badOption.err());
    }

    /**
     * A bad record fails mle and score (run as sufstat and as the job's own main class, as spark-submit runs
     * it) with exit 3 and one line: before, 56 and 222 lines of two Spark task traces, the message twice and
     * "Exception in thread main".
     */
    @Test
    void aFailurePrintsOneLineAndItsExitStatus() throws Exception {
        Path dir = Files.createTempDirectory("sufstat-main");
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n5.1,3.5,x,0.2\n"
                + "4.9,3.0,1.4,0.2\n4.7,3.2,1.3,0.2\n4.6,3.1,1.5,0.2\n");
        Subprocess.Result ok = run("mle", "--input", iris().toString(), "--output", dir.resolve("ok").toString());
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(Files.exists(dir.resolve("ok/_SUCCESS")));
        List<Subprocess.Result> failures = List.of(
                run("mle", "--input", bad.toString(), "--output", dir.resolve("no1").toString(), "--quiet"),
                Subprocess.runMain("io.sufstat.jobs.mle.MleJob", "--input", bad.toString(), "--output",
                        dir.resolve("no2").toString(), "--quiet"),
                run("score", "--model", dir.resolve("ok").toString(), "--input", bad.toString(), "--output",
                        dir.resolve("no3").toString(), "--quiet"));
        for (Subprocess.Result r : failures) {
            assertEquals(3, r.exit(), r.err());
            assertEquals(1, r.errLines().size(), "one line:\n" + r.err());
            assertTrue(r.err().contains("ERROR") && r.err().contains("line 3: column 'petal_length' (3): 'x' is not a number"),
                    r.err());
        }
        assertFalse(Files.exists(dir.resolve("no1")) || Files.exists(dir.resolve("no2")) || Files.exists(dir.resolve("no3")));
        Subprocess.Result model = run("score", "--model", dir.resolve("nothing").toString(), "--input", iris().toString(),
                "--output", dir.resolve("no4").toString(), "--quiet");
        assertEquals(4, model.exit());
        assertEquals(1, model.errLines().size(), model.err());
        // The environment's failure (here a master URL Spark cannot parse): exit 1, one line naming the cause.
        Subprocess.Result env = run("mle", "--input", iris().toString(), "--output", dir.resolve("no5").toString(),
                "--master", "bogus://nowhere", "--quiet");
        assertEquals(1, env.exit(), env.err());
        assertEquals(1, env.errLines().size(), env.err());
        assertTrue(env.err().contains("unexpected") && env.err().contains("bogus://nowhere")
                && env.err().contains("--verbose"), env.err());
    }

    /** --verbose shows the stack trace and Spark's INFO lines; --spark-conf values may hold commas. */
    @Test
    void verboseShowsTracesAndSparkSettingsTakeCommas() throws Exception {
        Path dir = Files.createTempDirectory("sufstat-verbose");
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "a,b\n1,2\n3,x\n4,5\n6,8\n");
        Subprocess.Result v = run("mle", "--input", bad.toString(), "--output", dir.resolve("no").toString(), "--verbose");
        assertEquals(3, v.exit());
        assertTrue(v.err().contains("INFO SparkContext: Running Spark version"), v.err());
        assertTrue(v.err().contains("\tat io.sufstat.jobs.io.RowCursor.bad"), "the stack trace with --verbose");
        Path a = jar(dir.resolve("a.jar"));
        Path b = jar(dir.resolve("b.jar"));
        Subprocess.Result jars = run("mle", "--input", iris().toString(), "--output", dir.resolve("ok").toString(),
                "--verbose", "--spark-conf", "spark.jars=" + a + "," + b + ",spark.sql.shuffle.partitions=3", "--conf",
                "spark.app.name=with,comma");
        assertEquals(0, jars.exit(), jars.err());
        assertTrue(jars.err().contains("Added JAR " + a) && jars.err().contains("Added JAR " + b), jars.err());
        assertTrue(jars.err().contains("Submitted application: with,comma"), jars.err());
    }

    private static Path jar(Path p) throws Exception {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
            z.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            z.write("Manifest-Version: 1.0\n".getBytes());
        }
        return p;
    }
}
