package io.sufstat.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.jobs.cli.Failure;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.io.Json;
import io.sufstat.jobs.io.ModelJson;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Mutated inputs never crash sufstat. Valid model files and CSV inputs are damaged at random (truncated,
 * a field deleted or duplicated, a value's type swapped, huge, negative or non-finite numbers, deep
 * nesting, stray bytes); every run must either succeed with a correct result or fail with sufstat's own
 * one-line failure of the right class — never another exception type, an out-of-memory error or an
 * unbounded time. Seeds are fixed, so a failure reproduces.
 */
class FuzzTest {

    /** What a mutation does to a text. */
    enum Kind { TRUNCATE, DELETE_FIELD, DUPLICATE_FIELD, SWAP_TYPE, HUGE_NUMBER, NEGATIVE_NUMBER, NON_FINITE, DEEP_NESTING,
        STRAY_BYTES, DUPLICATE_LINE, EMPTY_FIELD }

    /** A mutation: its kind, where in the text (0–1) and a seed for its details. */
    record Mutation(Kind kind, double where, long seed) {
        String apply(String text, String separator) {
            SplittableRandom rng = new SplittableRandom(seed);
            if (text.isEmpty()) {
                return text;
            }
            int at = (int) Math.min(text.length() - 1, Math.max(0, where * text.length()));
            return switch (kind) {
                case TRUNCATE -> text.substring(0, at);
                case DELETE_FIELD -> deleteField(text, at, separator);
                case DUPLICATE_FIELD -> duplicateField(text, at, separator);
                case SWAP_TYPE -> replaceToken(text, at, List.of("\"x\"", "[1,2]", "{}", "null", "true", "abc", "\"\"").get(
                        rng.nextInt(7)));
                case HUGE_NUMBER -> replaceToken(text, at, List.of("1e308", "-1e308", "1e999", "123456789012345678901234567890",
                        "2147483648", "9223372036854775807").get(rng.nextInt(6)));
                case NEGATIVE_NUMBER -> replaceToken(text, at, List.of("-1", "-0.5", "-2147483648", "-1e-300").get(rng.nextInt(4)));
                case NON_FINITE -> replaceToken(text, at, List.of("NaN", "Infinity", "-Infinity", "1e-400").get(rng.nextInt(4)));
                case DEEP_NESTING -> text.substring(0, at) + "[".repeat(1 + rng.nextInt(3000)) + text.substring(at);
                case STRAY_BYTES -> text.substring(0, at) + List.of("\u0000", "\"", "\uFEFF", "\r", "\n\n", ",", "\\", "\u00e9")
                        .get(rng.nextInt(8)) + text.substring(at);
                case DUPLICATE_LINE -> duplicateLine(text, at);
                case EMPTY_FIELD -> replaceToken(text, at, "");
            };
        }

        private static int tokenStart(String t, int at) {
            int s = at;
            while (s > 0 && Character.isLetterOrDigit(t.charAt(s - 1)) || s > 0 && ".-+_\"".indexOf(t.charAt(s - 1)) >= 0) {
                s--;
            }
            return s;
        }

        private static int tokenEnd(String t, int at) {
            int e = at;
            while (e < t.length() && (Character.isLetterOrDigit(t.charAt(e)) || ".-+_\"".indexOf(t.charAt(e)) >= 0)) {
                e++;
            }
            return e;
        }

        static String replaceToken(String t, int at, String with) {
            return t.substring(0, tokenStart(t, at)) + with + t.substring(tokenEnd(t, at));
        }

        static String deleteField(String t, int at, String sep) {
            int s = tokenStart(t, at);
            int e = tokenEnd(t, at);
            if (e < t.length() && t.startsWith(sep, e)) {
                e += sep.length();
            }
            return t.substring(0, s) + t.substring(e);
        }

        static String duplicateField(String t, int at, String sep) {
            int s = tokenStart(t, at);
            int e = tokenEnd(t, at);
            return t.substring(0, e) + sep + t.substring(s, e) + t.substring(e);
        }

        static String duplicateLine(String t, int at) {
            int s = t.lastIndexOf('\n', at) + 1;
            int e = t.indexOf('\n', at);
            e = e < 0 ? t.length() : e + 1;
            return t.substring(0, e) + t.substring(s, e) + t.substring(e);
        }
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        return net.jqwik.api.Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.doubles().between(0, 1),
                Arbitraries.longs()).as(Mutation::new);
    }

    @Provide
    Arbitrary<List<Mutation>> mutationLists() {
        return mutations().list().ofMinSize(1).ofMaxSize(3);
    }

    /** Valid model files of every kind, as sufstat writes them. */
    static List<String> validModels() {
        List<String> out = new ArrayList<>();
        GaussianMixture full = GaussianMixture.of(CovarianceType.FULL, new double[] {0.3, 0.7},
                new double[][] {{0, 1, 2}, {3, 4, 5}}, new double[][] {{2, 0.5, 0, 0.5, 1, 0.2, 0, 0.2, 1}, {1, 0, 0, 0, 1, 0, 0, 0, 1}});
        out.add(Json.write(ModelJson.mixture(List.of("a", "b", "c"), full)));
        GaussianMixture diag = GaussianMixture.of(CovarianceType.DIAG, new double[] {1}, new double[][] {{1, 2}},
                new double[][] {{1, 0, 0, 3}});
        out.add(Json.write(ModelJson.mixture(List.of("a", "b"), diag)));
        out.add("{\"kind\":\"gaussian\",\"formatVersion\":1,\"features\":[\"a\",\"b\"],\"count\":10,\"mean\":[1.5,-2],"
                + "\"covariance\":[[2,0.3],[0.3,1]],\"logLikelihood\":-3.2}");
        out.add("{\"kind\":\"ppca\",\"formatVersion\":1,\"features\":[\"a\",\"b\",\"c\"],\"latentDimension\":1,"
                + "\"mean\":[0,1,2],\"loadings\":[[1],[0.5],[0]],\"noiseVariance\":0.25}");
        out.add("{\"kind\":\"mppca\",\"formatVersion\":1,\"features\":[\"a\",\"b\",\"c\"],\"latentDimension\":1,"
                + "\"weights\":[0.5,0.5],\"noiseVariances\":[1,2],\"means\":[[0,0,0],[5,5,5]],"
                + "\"loadings\":[[[1],[0],[0]],[[0],[1],[0]]]}");
        return out;
    }

    /** Allocated bytes of this thread so far (HotSpot). */
    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getThreadAllocatedBytes(
                Thread.currentThread().getId());
    }

    @Property(tries = 600, seed = "20261130")
    void mutatedModelFilesAreReadOrRefusedInOneLine(@ForAll("mutationLists") List<Mutation> mutations) {
        for (String valid : validModels()) {
            String text = valid;
            for (Mutation m : mutations) {
                text = m.apply(text, ",");
            }
            long t0 = System.nanoTime();
            long a0 = allocated();
            try {
                ModelJson.Loaded loaded = ModelJson.read(text, "fuzz.json");
                GaussianMixture g = loaded.mixture();
                assertEquals(loaded.features().size(), g.dimension());
                double sum = 0;
                for (double w : g.weights()) {
                    assertTrue(w >= 0 && Double.isFinite(w));
                    sum += w;
                }
                assertEquals(1.0, sum, 1e-9);
                assertTrue(Double.isFinite(g.component(0).logDensity(g.component(0).mean())));
                count("model read");
            } catch (JobFailedException e) {
                count("model refused (exit 4)");
                assertEquals(Failure.MODEL, e.failure(), e.getMessage());
                assertTrue(e.getMessage().startsWith("model fuzz.json") && !e.getMessage().contains("\n"), e.getMessage());
            } catch (Throwable t) {
                fail("mutations " + mutations + " of\n" + valid + "\ngave " + t + " on\n" + text, t);
            }
            assertTrue(System.nanoTime() - t0 < 5e9, "took " + (System.nanoTime() - t0) / 1e9 + " s");
            long bytes = allocated() - a0;
            assertTrue(bytes < 64L << 20, "allocated " + bytes + " bytes for a " + text.length() + "-character file");
        }
    }

    private static final String CSV = makeCsv();

    private static String makeCsv() {
        StringBuilder b = new StringBuilder("x,y,z,label\n");
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < 40; i++) {
            b.append(String.format("%.4f,%.4f,%.4f,g%d%n", rng.nextGaussian(), 2 + rng.nextGaussian(), -1 + 3 * rng.nextGaussian(),
                    i % 3));
        }
        return b.toString();
    }

    private static Path dir;

    private static synchronized Path dir() {
        if (dir == null) {
            dir = SparkTest.tempDir("fuzz");
        }
        return dir;
    }

    private static int runs;
    private static final java.util.Map<String, Integer> OUTCOMES = new java.util.TreeMap<>();

    private static synchronized void count(String outcome) {
        OUTCOMES.merge(outcome, 1, Integer::sum);
    }

    /**
     * mle and score on mutated CSV: exit 0 with a model of every data row (count = data lines, mean within
     * the data's range), or a one-line input or fit failure.
     */
    @Property(tries = 40, seed = "20261130")
    void mutatedCsvIsFittedCorrectlyOrRefusedInOneLine(@ForAll("mutationLists") List<Mutation> mutations) throws Exception {
        String text = CSV;
        for (Mutation m : mutations) {
            text = m.apply(text, ",");
        }
        int run = ++runs;
        Path in = dir().resolve("in-" + run + ".csv");
        Files.writeString(in, text, StandardCharsets.UTF_8);
        String out = dir().resolve("mle-" + run).toString();
        long t0 = System.nanoTime();
        CliRun r = CliRun.of("mle", "--input", in.toString(), "--output", out, "--features", "x,y,z", "--quiet");
        assertTrue(System.nanoTime() - t0 < 60e9, "mle took " + (System.nanoTime() - t0) / 1e9 + " s");
        if (r.exit() == 0) {
            JsonNode model = new ObjectMapper().readTree(Path.of(out, "model.json").toFile());
            long dataLines = text.lines().skip(1).filter(l -> !l.isBlank()).count();
            assertEquals(dataLines, model.get("count").asLong(), "every data row is used under --on-bad-record fail:\n" + text);
            ModelJson.Loaded loaded = ModelJson.read(Files.readString(Path.of(out, "model.json")), out);
            assertEquals(List.of("x", "y", "z"), loaded.features());
            count("mle exit 0");
        } else {
            count("mle exit " + r.exit());
            String line = r.failureLine();
            assertTrue(r.exit() == Failure.INPUT.exitCode() || r.exit() == Failure.FIT.exitCode(),
                    "exit " + r.exit() + ": " + line + " for\n" + text);
        }
        String scored = dir().resolve("score-" + run).toString();
        Path model = dir().resolve("model.json");
        if (!Files.exists(model)) {
            Files.writeString(model, validModels().get(0).replace("\"a\"", "\"x\"").replace("\"b\"", "\"y\"")
                    .replace("\"c\"", "\"z\""));
        }
        CliRun s = CliRun.of("score", "--model", model.toString(), "--input", in.toString(), "--output", scored, "--quiet");
        count("score exit " + s.exit());
        if (s.exit() != 0) {
            String line = s.failureLine();
            assertEquals(Failure.INPUT.exitCode(), s.exit(), line + " for\n" + text);
        } else {
            long rows = SparkTest.spark().read().option("header", "true").csv(scored).count();
            assertEquals(text.lines().skip(1).filter(l -> !l.isBlank()).count(), rows);
        }
    }

    @AfterContainer
    static void report() {
        System.out.println("FuzzTest: " + runs + " mutated CSV inputs run through mle and score; outcomes " + OUTCOMES);
    }
}
