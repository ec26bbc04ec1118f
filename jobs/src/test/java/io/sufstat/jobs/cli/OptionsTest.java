package io.sufstat.jobs.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionsTest {

    private static final List<OptionSpec> SPECS = List.of(
            OptionSpec.required("input", "PATH", "in"),
            OptionSpec.value("k", "K", "components", "3"),
            OptionSpec.value("tol", "T", "tolerance", "1e-3"),
            OptionSpec.value("features", "C", "features", null),
            OptionSpec.flag("overwrite", "replace"));

    private static Options parse(String... args) {
        return Options.parse("test", SPECS, args, p -> {
            throw new AssertionError("no config expected");
        });
    }

    @Test
    void valuesDefaultsAndFlags() {
        Options o = parse("--input", "a.csv", "--tol=0.5", "--overwrite", "--features", "x, y ,z");
        assertEquals("a.csv", o.require("input"));
        assertEquals(3, o.getInt("k"));
        assertEquals(0.5, o.getDouble("tol"));
        assertTrue(o.flag("overwrite"));
        assertEquals(List.of("x", "y", "z"), o.getList("features"));
        assertFalse(o.given("k"));
    }

    @Test
    void countsTakeSuffixes() {
        assertEquals(10_000_000L, Options.parseCount("10m"));
        assertEquals(1_500L, Options.parseCount("1.5k"));
        assertEquals(1_000_000L, Options.parseCount("1e6"));
        assertEquals(2_000_000_000L, Options.parseCount("2g"));
        assertThrows(NumberFormatException.class, () -> Options.parseCount("1.5"));
    }

    @Test
    void errorsNameTheOption() {
        assertTrue(assertThrows(UsageException.class, () -> parse("--k", "2")).getMessage().contains("--input is required"));
        assertTrue(assertThrows(UsageException.class, () -> parse("--input", "a", "--tool", "1")).getMessage()
                .contains("did you mean --tol"));
        assertTrue(assertThrows(UsageException.class, () -> parse("--input")).getMessage().contains("needs a value"));
        assertTrue(assertThrows(UsageException.class, () -> parse("--input", "a", "--overwrite=yes")).getMessage()
                .contains("flag"));
        assertTrue(assertThrows(UsageException.class, () -> parse("--input", "a", "--k", "x").getInt("k")).getMessage()
                .contains("whole number"));
        assertTrue(assertThrows(UsageException.class, () -> parse("--input", "a", "--input", "b")).getMessage()
                .contains("twice"));
        assertTrue(assertThrows(UsageException.class, () -> parse("stray")).getMessage().contains("unexpected"));
    }

    @Test
    void configFileUnderCommandLine() {
        String config = "input = from-config.csv\nk = 7\noverwrite = true\n";
        Options o = Options.parse("test", SPECS, new String[] {"--config", "c.properties", "--k", "9"}, p -> config);
        assertEquals("from-config.csv", o.require("input"));
        assertEquals(9, o.getInt("k"));
        assertTrue(o.flag("overwrite"));
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
        for (OptionSpec s : SPECS) {
            assertTrue(u.contains("--" + s.name()), s.name());
        }
        assertTrue(u.contains("Default: 1e-3."));
        assertTrue(u.contains("--verbose"));
    }

    /** A comma starts a new --spark-conf pair only before key=; --conf is repeatable and takes any value. */
    @Test
    void sparkSettingsTakeValuesWithCommas() {
        Options o = parse("--input", "a.csv", "--spark-conf", "spark.jars=a.jar,b.jar, spark.x.y=1", "--conf",
                "spark.driver.extraJavaOptions=-Da=1,2", "--conf", "spark.x.y=2");
        assertEquals(java.util.Map.of("spark.jars", "a.jar,b.jar", "spark.x.y", "2",
                "spark.driver.extraJavaOptions", "-Da=1,2"), o.sparkSettings());
        assertEquals(List.of("spark.driver.extraJavaOptions=-Da=1,2", "spark.x.y=2"), o.getAll("conf"));
        assertThrows(UsageException.class, () -> parse("--input", "a", "--conf", "novalue").sparkSettings());
        assertThrows(UsageException.class, () -> parse("--input", "a", "--spark-conf", "=1").sparkSettings());
    }
}
