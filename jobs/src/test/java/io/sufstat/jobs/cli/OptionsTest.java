package io.sufstat.jobs.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionsTest {

    static final Opt<String> INPUT = Opt.text("input", "PATH", "in").required();
    static final Opt<Integer> K = Opt.integer("k", "K", "components").defaultsTo("3").check(k -> k >= 1, "at least 1");
    static final Opt<Double> TOL = Opt.number("tol", "T", "tolerance").defaultsTo("1e-3").check(t -> t >= 0, "non-negative");
    static final Opt<List<String>> FEATURES = Opt.list("features", "C", "features");
    static final Opt<String> MODE = Opt.choice("mode", "how", "fail", "skip").defaultsTo("fail");
    static final Opt<Boolean> OVERWRITE = Opt.flag("overwrite", "replace");
    static final List<Opt<?>> SPECS = List.of(INPUT, K, TOL, FEATURES, MODE, OVERWRITE);

    private static Options parse(String... args) {
        return Options.parse("test", SPECS, args, p -> {
            throw new AssertionError("no config expected");
        });
    }

    private static String refusal(String... args) {
        return assertThrows(UsageException.class, () -> parse(args)).getMessage();
    }

    @Test
    void typedValuesDefaultsAndFlags() {
        Options o = parse("--input", "a.csv", "--tol=0.5", "--overwrite", "--features", "x, y ,z", "--mode", "SKIP");
        assertEquals("a.csv", o.get(INPUT));
        assertEquals(3, o.get(K));
        assertEquals(0.5, o.get(TOL));
        assertTrue(o.get(OVERWRITE));
        assertEquals(List.of("x", "y", "z"), o.get(FEATURES));
        assertEquals("skip", o.get(MODE));
        assertFalse(o.given(K));
        assertEquals("3", o.text(K).orElseThrow());
        Options bare = parse("--input", "a.csv");
        assertFalse(bare.get(OVERWRITE));
        assertTrue(bare.find(FEATURES).isEmpty());
    }

    @Test
    void countsTakeSuffixes() {
        assertEquals(10_000_000L, Opt.parseCount("10m"));
        assertEquals(1_500L, Opt.parseCount("1.5k"));
        assertEquals(1_000_000L, Opt.parseCount("1e6"));
        assertEquals(2_000_000_000L, Opt.parseCount("2g"));
        assertThrows(NumberFormatException.class, () -> Opt.parseCount("1.5"));
    }

    /** Every value is parsed and checked while the command line is, whether or not the job reads it. */
    @Test
    void badValuesAreRefusedWhenParsing() {
        assertEquals("--k expects a whole number, got 'x'", refusal("--input", "a", "--k", "x"));
        assertEquals("--k must be at least 1, not '0'", refusal("--input", "a", "--k", "0"));
        assertEquals("--k is out of range: 3000000000", refusal("--input", "a", "--k", "3000000000"));
        assertEquals("--tol must be non-negative, not '-1'", refusal("--input", "a", "--tol", "-1"));
        assertEquals("--tol expects a finite number, got 'NaN'", refusal("--input", "a", "--tol", "NaN"));
        assertEquals("--mode must be one of fail, skip, not 'maybe'", refusal("--input", "a", "--mode", "maybe"));
        assertEquals("--features has an empty item: 'a,,b'", refusal("--input", "a", "--features", "a,,b"));
    }

    @Test
    void errorsNameTheOption() {
        assertTrue(refusal("--k", "2").contains("--input is required"));
        assertTrue(refusal("--input", "a", "--tool", "1").contains("did you mean --tol"));
        assertTrue(refusal("--input").contains("needs a value"));
        assertTrue(refusal("--input", "a", "--overwrite=yes").contains("flag"));
        assertTrue(refusal("--input", "a", "--input", "b").contains("twice"));
        assertTrue(refusal("stray").contains("unexpected"));
    }

    /** Reading an option the job did not declare is a programming error, not a user's. */
    @Test
    void undeclaredOptionsCannotBeRead() {
        Options o = parse("--input", "a");
        Opt<Integer> other = Opt.integer("k", "K", "another k");
        assertThrows(IllegalArgumentException.class, () -> o.get(other));
        assertThrows(IllegalArgumentException.class, () -> o.get(Opt.flag("nope", "")));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("test", List.of(K, K), new String[0], p -> ""));
    }

    @Test
    void configFileUnderCommandLine() {
        String config = "input = from-config.csv\nk = 7\noverwrite = true\n";
        Options o = Options.parse("test", SPECS, new String[] {"--config", "c.properties", "--k", "9"}, p -> config);
        assertEquals("from-config.csv", o.get(INPUT));
        assertEquals(9, o.get(K));
        assertTrue(o.get(OVERWRITE));
        assertEquals("--k must be at least 1, not '0'", assertThrows(UsageException.class,
                () -> Options.parse("test", SPECS, new String[] {"--config", "c"}, p -> "input=a\nk=0\n")).getMessage());
    }

    @Test
    void unknownConfigKeyListsTheValidOnes() {
        UsageException e = assertThrows(UsageException.class,
                () -> Options.parse("test", SPECS, new String[] {"--config", "c"}, p -> "input=a\nkk=2\n"));
        assertTrue(e.getMessage().contains("unknown key 'kk'"), e.getMessage());
        assertTrue(e.getMessage().contains("valid keys: input, k, tol"), e.getMessage());
    }

    @Test
    void usageListsEveryOptionWithDefaults() {
        String u = Options.usage("test", "--input PATH", "Does things.", SPECS);
        for (Opt<?> s : SPECS) {
            assertTrue(u.contains("--" + s.name()), s.name());
        }
        assertTrue(u.contains("Default: 1e-3."));
        assertTrue(u.contains("--mode fail|skip"));
        assertTrue(u.contains("--verbose"));
    }

    /** A comma starts a new --spark-conf pair only before key=; --conf is repeatable and takes any value. */
    @Test
    void sparkSettingsTakeValuesWithCommas() {
        Options o = parse("--input", "a.csv", "--spark-conf", "spark.jars=a.jar,b.jar, spark.x.y=1", "--conf",
                "spark.driver.extraJavaOptions=-Da=1,2", "--conf", "spark.x.y=2");
        assertEquals(java.util.Map.of("spark.jars", "a.jar,b.jar", "spark.x.y", "2",
                "spark.driver.extraJavaOptions", "-Da=1,2"), o.sparkSettings());
        assertEquals(List.of("spark.driver.extraJavaOptions=-Da=1,2", "spark.x.y=2"), o.get(Options.CONF));
        assertThrows(UsageException.class, () -> parse("--input", "a", "--conf", "novalue").sparkSettings());
        assertThrows(UsageException.class, () -> parse("--input", "a", "--spark-conf", "=1").sparkSettings());
    }

    /** Every job declares each option once, and every default passes its own option's checks. */
    @Test
    void everyJobsDefaultsAreValid() {
        int checked = 0;
        for (io.sufstat.jobs.core.Job job : io.sufstat.jobs.Sufstat.JOBS.values()) {
            java.util.Set<String> names = new java.util.HashSet<>();
            for (Opt<?> opt : job.options()) {
                assertTrue(names.add(opt.name()), job.name() + " declares " + opt + " twice");
                if (opt.defaultText().isPresent()) {
                    opt.parse(opt.defaultText().get());
                    checked++;
                }
            }
        }
        assertTrue(checked > 50, "defaults checked: " + checked);
    }
}
