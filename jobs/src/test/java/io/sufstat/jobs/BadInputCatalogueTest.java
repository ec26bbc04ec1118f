package io.sufstat.jobs;

import io.sufstat.jobs.core.Job;
import io.sufstat.jobs.core.JobContext;
import io.sufstat.jobs.core.Failures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The catalogue of bad inputs, options, model files, checkpoints and output paths: for every case the
 * command line's exit status (README's exit-status table) and its one line (README's failure-modes
 * table, which lists every case of this catalogue by its description). Each case runs in this JVM on the
 * shared session exactly as {@code sufstat} runs it; {@link CliRun#failureLine()} fails a case that
 * prints more than one line, a stack trace or a repeated message.
 */
class BadInputCatalogueTest {

    /** One case: what is wrong, the exit status, a pattern its line must contain, and the command. */
    record Case(String description, int exit, String pattern, Function<Fixtures, String[]> command) {
        @Override
        public String toString() {
            return description;
        }
    }

    private static Fixtures fixtures;

    static synchronized Fixtures fixtures() {
        if (fixtures == null) {
            fixtures = new Fixtures(SparkTest.tempDir("catalogue"));
        }
        return fixtures;
    }

    static Stream<Case> cases() {
        List<Case> c = new ArrayList<>();
        // Input data (exit 3).
        c.add(new Case("no file matches the input", 3, "no input files match", f -> mle(f.path("nothing-*.csv"), f)));
        c.add(new Case("an empty CSV file", 3, "is empty", f -> mle(f.file("empty.csv", ""), f)));
        c.add(new Case("a CSV file with a header only", 3, "has no data rows", f -> mle(f.file("header.csv", "a,b\n"), f)));
        c.add(new Case("a value that is not a number", 3, "bad.csv line 3: column 'b' \\(2\\): 'x' is not a number",
                f -> mle(f.file("bad.csv", "a,b\n1,2\n3,x\n4,5\n"), f)));
        c.add(new Case("NaN as a value", 3, "line 2: column 'a' \\(1\\): 'NaN' is NaN or infinite",
                f -> mle(f.file("nan.csv", "a,b\nNaN,2\n3,4\n"), f)));
        c.add(new Case("Infinity as a value", 3, "'-Infinity' is NaN or infinite",
                f -> mle(f.file("inf.csv", "a,b\n1,2\n3,-Infinity\n"), f)));
        c.add(new Case("an empty field", 3, "line 3: column 'b' \\(2\\): the value is missing",
                f -> mle(f.file("gap.csv", "a,b\n1,2\n3,\n"), f)));
        c.add(new Case("a line with too many fields", 3, "line 3: the line has 3 fields but the header has 2",
                f -> mle(f.file("wide.csv", "a,b\n1,2\n3,4,5\n"), f)));
        c.add(new Case("a line with too few fields", 3, "line 2: the line has 1 fields but the header has 2",
                f -> mle(f.file("narrow.csv", "a,b\n1\n3,4\n"), f)));
        c.add(new Case("a quoted field not closed on its line", 3, "a quoted field is not closed",
                f -> mle(f.file("quote.csv", "a,b\n1,\"2\n3,4\n"), f)));
        c.add(new Case("a negative weight", 3, "is not a finite, non-negative weight",
                f -> add(mle(f.file("negw.csv", "a,b,w\n1,2,1\n3,4,-1\n5,7,1\n"), f), "--weight-col", "w")));
        c.add(new Case("every weight zero", 3, "rows have weight 0",
                f -> add(mle(f.file("zerow.csv", "a,b,w\n1,2,0\n3,4,0\n5,7,0\n"), f), "--weight-col", "w")));
        c.add(new Case("a --features column that is not in the input", 3, "feature column 'z' is not in .* its columns are: a, b",
                f -> add(mle(f.csv("ab.csv"), f), "--features", "a,z")));
        c.add(new Case("a header that names a column twice", 3, "names column 'a' twice",
                f -> mle(f.file("dup.csv", "a,a\n1,2\n3,4\n"), f)));
        c.add(new Case("files whose headers differ", 3, "differs from the first file's", f -> {
            f.file("hdr/1.csv", "a,b\n1,2\n3,4\n");
            f.file("hdr/2.csv", "a,c\n1,2\n3,4\n");
            return mle(f.path("hdr"), f);
        }));
        c.add(new Case("a truncated .gz file", 3, "cannot read .*trunc.csv.gz: Unexpected end of input stream",
                f -> mle(f.truncatedGzip("trunc.csv.gz"), f)));
        c.add(new Case("a sub-directory in a CSV input directory", 3, "holds the sub-directory sub", f -> {
            f.file("tree/a.csv", "a,b\n1,2\n3,4\n5,7\n");
            f.file("tree/sub/b.csv", "a,b\n1,2\n3,4\n");
            return mle(f.path("tree"), f);
        }));
        c.add(new Case("files of two formats in one directory", 3, "mixes formats: .*a.csv is csv, .*b.json is json", f -> {
            f.file("mixed/a.csv", "a,b\n1,2\n3,4\n5,7\n");
            f.file("mixed/b.json", "{\"a\": 1, \"b\": 2}\n");
            return mle(f.path("mixed"), f);
        }));
        c.add(new Case("--format that contradicts the files' extension", 3, "is read as parquet, but .* is a csv file",
                f -> add(mle(f.csv("ab.csv"), f), "--format", "parquet")));
        c.add(new Case("a corrupt Parquet file", 3, "corrupt.parquet", f -> mle(f.file("corrupt.parquet", "PAR1 not really"), f)));
        c.add(new Case("every row skipped under --on-bad-record skip", 3, "all 2 rows were skipped",
                f -> add(mle(f.file("allbad.csv", "a,b\nx,2\n3,y\n"), f), "--on-bad-record", "skip", "--features", "a,b")));
        c.add(new Case("no numeric column", 3, "no numeric columns", f -> mle(f.file("words.csv", "a,b\nx,y\nu,v\n"), f)));
        c.add(new Case("a model's feature missing from score's input", 3, "the model's feature 'petal_width' is not a column",
                f -> score(f, f.file("threecols.csv", "sepal_length,sepal_width,petal_length\n1,2,3\n"))));
        c.add(new Case("score: a line with too many fields", 3, "extra.csv line 3: the line has 6 fields but the header has 5",
                f -> score(f, f.file("extra.csv", Fixtures.IRIS_HEADER + "\n5.1,3.5,1.4,0.2,setosa\n5.1,3.5,1.4,0.2,setosa,9\n"))));
        c.add(new Case("score: a value that is not a number", 3, "nonum.csv line 2: column 'petal_length' \\(3\\): 'x'",
                f -> score(f, f.file("nonum.csv", Fixtures.IRIS_HEADER + "\n5.1,3.5,x,0.2,setosa\n"))));
        c.add(new Case("impute: a line with too few fields", 3, "short.csv line 3: the line has 4 fields",
                f -> new String[] {"impute", "--model", f.gmm(), "--input", f.file("short.csv", Fixtures.IRIS_HEADER
                        + "\n5.1,,1.4,0.2,setosa\n5.1,3.5,1.4,0.2\n"), "--output", f.out()}));
        c.add(new Case("mle --missing em with no complete row", 3, "complete", f -> add(mle(
                f.file("holes.csv", "a,b\n1,\n,2\n3,\n"), f), "--missing", "em")));
        // Fits that the data do not admit (exit 6).
        c.add(new Case("a constant feature (singular covariance)", 6, "covariance of the rows is not positive definite.*--reg-covar",
                f -> mle(f.file("const.csv", "a,b\n1,5\n2,5\n3,5\n"), f)));
        c.add(new Case("gmm with more components than rows", 6, "--k 200 is larger than the number of rows \\(150\\)",
                f -> new String[] {"gmm", "--input", f.iris(), "--output", f.out(), "--k", "200"}));
        c.add(new Case("a selection in which every combination fails", 6, "every one of the 2 combinations failed",
                f -> new String[] {"gmm", "--input", f.iris(), "--output", f.out(), "--k", "200,300"}));
        // Usage (exit 2).
        c.add(new Case("an unknown option", 2, "unknown option --tole \\(did you mean --tol\\?\\)",
                f -> new String[] {"gmm", "--input", f.iris(), "--output", f.out(), "--k", "2", "--tole", "3"}));
        c.add(new Case("a missing required option", 2, "--output is required", f -> new String[] {"mle", "--input", f.iris()}));
        c.add(new Case("an option given twice", 2, "--k is given twice",
                f -> new String[] {"gmm", "--input", f.iris(), "--output", f.out(), "--k", "2", "--k", "3"}));
        c.add(new Case("a bad --on-bad-record value", 2, "--on-bad-record must be one of fail, skip",
                f -> add(mle(f.iris(), f), "--on-bad-record", "ignore")));
        c.add(new Case("--k 0", 2, "--k must be at least 1", f -> new String[] {"gmm", "--input", f.iris(), "--output", f.out(), "--k", "0"}));
        c.add(new Case("--k that is not a number, range or list", 2, "--k must be a number, a range",
                f -> new String[] {"gmm", "--input", f.iris(), "--output", f.out(), "--k", "two"}));
        c.add(new Case("an unknown covariance type", 2, "--covariance",
                f -> new String[] {"gmm", "--input", f.iris(), "--output", f.out(), "--k", "2", "--covariance", "banded"}));
        c.add(new Case("a negative --tol", 2, "non-negative",
                f -> new String[] {"gmm", "--input", f.iris(), "--output", f.out(), "--k", "2", "--tol", "-1"}));
        c.add(new Case("an unknown --init", 2, "--init must be kmeans",
                f -> new String[] {"gmm", "--input", f.iris(), "--output", f.out(), "--k", "2", "--init", "magic"}));
        c.add(new Case("--features-col with CSV input", 2, "--features-col needs a vector column",
                f -> add(mle(f.iris(), f), "--features-col", "v")));
        c.add(new Case("an unknown key in a --config file", 2, "unknown key 'tole' in configuration",
                f -> add(mle(f.iris(), f), "--config", f.file("bad.properties", "tole = 3\n"))));
        c.add(new Case("a --config file that does not exist", 2, "configuration file .* does not exist",
                f -> add(mle(f.iris(), f), "--config", f.path("none.properties"))));
        c.add(new Case("a --config file larger than 1 MiB", 2, "more than the 1048576 this sufstat reads",
                f -> add(mle(f.iris(), f), "--config", f.sparse("huge.properties", 2L << 20))));
        c.add(new Case("a --spark-conf item without '='", 2, "Spark settings are K=V pairs",
                f -> add(mle(f.iris(), f), "--spark-conf", "spark.executor.memory")));
        c.add(new Case("score --features with a count other than the model's", 2, "--features lists 2 columns but the model has 4",
                f -> add(score(f, f.iris()), "--features", "a,b")));
        c.add(new Case("compare --fail-above that is not a number", 2, "--fail-above expects a finite number, got .high.",
                f -> new String[] {"compare", "--model-a", f.gmm(), "--model-b", f.gmm(), "--output", f.out(),
                        "--fail-above", "high"}));
        c.add(new Case("score --anomaly-quantile that is not a number", 2, "--anomaly-quantile expects a finite number",
                f -> add(score(f, f.iris()), "--anomaly-quantile", "most")));
        c.add(new Case("ppca --q not below the number of features", 2, "--q",
                f -> new String[] {"ppca", "--input", f.iris(), "--output", f.out(), "--q", "4"}));
        // Output paths (exit 5).
        c.add(new Case("--overwrite on a directory sufstat did not write", 5, "not written by sufstat .*notes.txt", f -> {
            f.file("mine/notes.txt", "my notes");
            return add(mle(f.iris(), f, f.path("mine")), "--overwrite");
        }));
        c.add(new Case("an earlier sufstat output without --overwrite", 5, "holds an earlier sufstat output; add --overwrite",
                f -> mle(f.iris(), f, f.gmm())));
        c.add(new Case("--output that is an existing file", 5, "is a file, not a directory",
                f -> mle(f.iris(), f, f.file("plain.txt", "x"))));
        c.add(new Case("--output equal to the input", 5, "it is the input", f -> add(mle(f.iris(), f, f.iris()), "--overwrite")));
        c.add(new Case("--output inside the input directory", 5, "it is inside the input", f -> {
            f.file("indir/a.csv", "a,b\n1,2\n3,4\n5,7\n");
            return add(mle(f.path("indir"), f, f.path("indir/out")), "--overwrite");
        }));
        c.add(new Case("--output containing the input", 5, "it contains the input",
                f -> add(mle(f.file("outer/in/a.csv", "a,b\n1,2\n3,4\n5,7\n"), f, f.path("outer")), "--overwrite")));
        c.add(new Case("--output equal to the working directory", 5, "it is the working directory",
                f -> add(mle(f.iris(), f, "."), "--overwrite")));
        c.add(new Case("--output an ancestor of the working directory", 5, "it contains the working directory",
                f -> add(mle(f.iris(), f, ".."), "--overwrite")));
        c.add(new Case("--output the home directory", 5, "(it is the home directory|it contains the working directory)",
                f -> add(mle(f.iris(), f, System.getProperty("user.home")), "--overwrite")));
        c.add(new Case("--output a file-system root", 5, "(is a file-system root|contains the working directory)",
                f -> add(mle(f.iris(), f, "/"), "--overwrite")));
        c.add(new Case("--output equal to score's --model directory", 5, "it is --model",
                f -> add(score(f, f.iris(), f.gmm()), "--overwrite")));
        c.add(new Case("--output inside the --checkpoint directory", 5, "it is inside --checkpoint",
                f -> new String[] {"gmm", "--input", f.iris(), "--output", f.path("ck/out"), "--k", "2", "--checkpoint",
                        f.path("ck")}));
        c.add(new Case("--checkpoint inside the input directory", 5, "--checkpoint .* overlaps the input", f -> {
            f.file("ckin/a.csv", "a,b\n1,2\n3,4\n5,7\n2,2\n");
            return new String[] {"gmm", "--input", f.path("ckin"), "--output", f.out(), "--k", "1", "--checkpoint",
                    f.path("ckin/ckpt")};
        }));
        // Model and checkpoint files (exit 4).
        c.add(new Case("a model path that does not exist", 4, "the model .* does not exist", f -> score(f, f.iris(), null, f.path("nomodel"))));
        c.add(new Case("a model file that is not JSON", 4, "is not valid JSON", f -> score(f, f.iris(), null, f.file("m1.json", "not json"))));
        c.add(new Case("a truncated model file", 4, "is not valid JSON", f -> score(f, f.iris(), null, f.file("m2.json", f.gmmText().substring(0, 120)))));
        c.add(new Case("a model without formatVersion", 4, "has no formatVersion", f -> score(f, f.iris(), null,
                f.file("m3.json", f.gmmText().replace("\"formatVersion\" : 1,", "")))));
        c.add(new Case("a model of another format version", 4, "has formatVersion 9; this sufstat reads version 1",
                f -> score(f, f.iris(), null, f.file("m4.json", f.gmmText().replace("\"formatVersion\" : 1,", "\"formatVersion\" : 9,")))));
        c.add(new Case("a model of an unknown kind", 4, "field kind is 'tree'", f -> score(f, f.iris(), null,
                f.file("m5.json", f.gmmText().replace("\"gaussian-mixture\"", "\"tree\"")))));
        c.add(new Case("a model with duplicate feature names", 4, "field features names 'sepal_length' twice",
                f -> score(f, f.iris(), null, f.file("m6.json", f.gmmText().replace("\"sepal_width\"", "\"sepal_length\"")))));
        c.add(new Case("a model with an empty feature name", 4, "field features\\[1\\] must be a non-empty name",
                f -> score(f, f.iris(), null, f.file("m7.json", f.gmmText().replace("\"sepal_width\"", "\"\"")))));
        c.add(new Case("a mixture with fewer means than weights", 4, "needs as many weights, means and covariances",
                f -> score(f, f.iris(), null, f.file("m8.json", Fixtures.MIXTURE_HEAD
                        + "\"weights\":[0.5,0.5],\"means\":[[0,0]],\"covariances\":[[[1,0],[0,1]],[[1,0],[0,1]]]}"))));
        c.add(new Case("an mppca model with too few means", 4, "field means must have 2 elements, not 1",
                f -> score(f, f.iris(), null, f.file("m9.json", "{\"kind\":\"mppca\",\"formatVersion\":1,\"features\":[\"a\",\"b\",\"c\"],"
                        + "\"latentDimension\":1,\"weights\":[0.5,0.5],\"noiseVariances\":[1,1],\"means\":[[0,0,0]],"
                        + "\"loadings\":[[[1],[0],[0]],[[1],[0],[0]]]}"))));
        c.add(new Case("a ppca model with a huge latent dimension", 4, "field latentDimension must be a whole number from 1 to 2",
                f -> score(f, f.iris(), null, f.file("m10.json", "{\"kind\":\"ppca\",\"formatVersion\":1,\"features\":[\"a\",\"b\",\"c\"],"
                        + "\"latentDimension\":2000000000,\"mean\":[0,0,0],\"loadings\":[[1],[0],[0]],\"noiseVariance\":1}"))));
        c.add(new Case("a ppca model with a negative latent dimension", 4, "field latentDimension must be a whole number",
                f -> score(f, f.iris(), null, f.file("m11.json", "{\"kind\":\"ppca\",\"formatVersion\":1,\"features\":[\"a\",\"b\",\"c\"],"
                        + "\"latentDimension\":-5,\"mean\":[0,0,0],\"loadings\":[[1],[0],[0]],\"noiseVariance\":1}"))));
        c.add(new Case("a model that asks for more than 2^27 covariance entries", 4, "sufstat applies models of at most 134217728",
                f -> score(f, f.iris(), null, f.file("m12.json", Fixtures.wideGaussian(12_000)))));
        c.add(new Case("a model file larger than 256 MiB", 4, "more than the 268435456 this sufstat reads",
                f -> score(f, f.iris(), null, f.sparse("m13.json", 300L << 20))));
        c.add(new Case("a model nested too deeply", 4, "is not valid JSON \\(.*nesting depth", f -> score(f, f.iris(), null,
                f.file("m14.json", "[".repeat(5000) + "]".repeat(5000)))));
        c.add(new Case("a model with an infinite number", 4, "is not a finite number",
                f -> score(f, f.iris(), null, f.file("m15.json", f.gmmText().replaceFirst("\"weights\" : \\[ [0-9.eE-]+",
                        "\"weights\" : [ 1e999")))));
        c.add(new Case("a model with a text where a number belongs", 4, "field means\\[0\\]\\[1\\] is not a number",
                f -> score(f, f.iris(), null, f.file("m16.json", Fixtures.MIXTURE_HEAD
                        + "\"weights\":[1],\"means\":[[0,\"x\"]],\"covariances\":[[[1,0],[0,1]]]}"))));
        c.add(new Case("a model whose weights do not sum to 1", 4, "sum to", f -> score(f, f.iris(), null, f.file("m17.json",
                Fixtures.MIXTURE_HEAD + "\"weights\":[0.5,0.6],\"means\":[[0,0],[1,1]],\"covariances\":[[[1,0],[0,1]],[[1,0],[0,1]]]}"))));
        c.add(new Case("a model whose covariance is not positive definite", 4, "not positive definite", f -> score(f, f.iris(), null,
                f.file("m18.json", Fixtures.MIXTURE_HEAD + "\"weights\":[1],\"means\":[[0,0]],\"covariances\":[[[1,2],[2,1]]]}"))));
        c.add(new Case("a model with a duplicate key", 4, "Duplicate field 'weights'", f -> score(f, f.iris(), null, f.file("m19.json",
                Fixtures.MIXTURE_HEAD + "\"weights\":[1],\"weights\":[1],\"means\":[[0,0]],\"covariances\":[[[1,0],[0,1]]]}"))));
        c.add(new Case("a model with text after its JSON object", 4, "is not valid JSON", f -> score(f, f.iris(), null,
                f.file("m20.json", f.gmmText() + "{}"))));
        c.add(new Case("compare: models with different features", 4, "the models have different features",
                f -> new String[] {"compare", "--model-a", f.gmm(), "--model-b", f.file("other-features.json",
                        Fixtures.MIXTURE_HEAD + "\"weights\":[1],\"means\":[[0,0]],\"covariances\":[[[1,0],[0,1]]]}"), "--output", f.out()}));
        c.add(new Case("gmm --init with a model of other features", 4, "the initial model's features",
                f -> new String[] {"gmm", "--input", f.csv("ab.csv"), "--output", f.out(), "--init", f.gmm()}));
        c.add(new Case("a truncated checkpoint file", 4, "checkpoint .*iteration-000002.json is not valid JSON.*; delete",
                f -> f.truncatedCheckpoint()));
        // A drift alarm (exit 7).
        c.add(new Case("compare --fail-above exceeded", 7, "drift: KL .* exceeds --fail-above 0",
                f -> new String[] {"compare", "--model-a", f.gmm(), "--model-b", f.mle(), "--output", f.out(), "--fail-above",
                        "0", "--samples", "1000"}));
        return c.stream();
    }

    private static String[] mle(String input, Fixtures f) {
        return mle(input, f, f.out());
    }

    private static String[] mle(String input, Fixtures f, String output) {
        return new String[] {"mle", "--input", input, "--output", output};
    }

    private static String[] score(Fixtures f, String input) {
        return score(f, input, f.out());
    }

    private static String[] score(Fixtures f, String input, String output) {
        return score(f, input, output, f.gmm());
    }

    private static String[] score(Fixtures f, String input, String output, String model) {
        return new String[] {"score", "--model", model, "--input", input, "--output", output == null ? f.out() : output};
    }

    private static String[] add(String[] a, String... more) {
        List<String> l = new ArrayList<>(List.of(a));
        l.addAll(List.of(more));
        return l.toArray(new String[0]);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void failsWithOneLineAndItsExitStatus(Case c) {
        Fixtures f = fixtures();
        String[] args = c.command().apply(f);
        CliRun r = CliRun.of(args);
        assertEquals(c.exit(), r.exit(), c.description() + ": " + String.join(" ", args) + "\n" + String.join("\n", r.log())
                + "\n" + r.err());
        String line = r.failureLine();
        assertTrue(Pattern.compile(c.pattern()).matcher(line).find(), c.description() + ": '" + line + "' lacks /"
                + c.pattern() + "/");
        if (c.exit() != 2) {
            assertTrue(line.contains("failed (") && line.contains("exit " + c.exit() + "): "), line);
        }
        f.assertIntact();
    }

    @Test
    void catalogueIsLargeAndListedInTheReadme() throws IOException {
        List<Case> all = cases().toList();
        assertTrue(all.size() >= 60, "catalogue has " + all.size() + " cases");
        String readme = Files.readString(Fixtures.repository().resolve("README.md"), StandardCharsets.UTF_8);
        String table = readme.substring(readme.indexOf("### Failure modes"));
        for (Case c : all) {
            assertTrue(table.contains("| " + c.description() + " | " + c.exit() + " |"),
                    "README's failure-modes table lacks: | " + c.description() + " | " + c.exit() + " |");
        }
    }

    /** A sub-directory that is not a partition directory is read, recursively, for Parquet (not skipped). */
    @Test
    void subDirectoriesOfParquetInputsAreReadRecursively() throws Exception {
        Path dir = SparkTest.tempDir("parquet-tree");
        assertEquals(0, CliRun.of("generate", "--output", dir.resolve("data").toString(), "--rows", "100", "--dim", "2",
                "--format", "parquet").exit());
        Path sub = Files.createDirectories(dir.resolve("data/sub"));
        try (var files = Files.list(dir.resolve("data"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".parquet")).toList()) {
                Files.copy(f, sub.resolve(f.getFileName()));
            }
        }
        CliRun r = CliRun.of("mle", "--input", dir.resolve("data").toString(), "--output", dir.resolve("out").toString());
        assertEquals(0, r.exit(), String.join("\n", r.log()));
        assertTrue(Files.readString(dir.resolve("out/metrics.json")).contains("\"rowsRead\" : 200"));
    }

    /** Files the cases use, in one temporary directory; inputs and earlier outputs are checked after every case. */
    static final class Fixtures {
        static final String IRIS_HEADER = "sepal_length,sepal_width,petal_length,petal_width,species";
        static final String MIXTURE_HEAD = "{\"kind\":\"gaussian-mixture\",\"formatVersion\":1,\"features\":[\"a\",\"b\"],"
                + "\"covarianceType\":\"full\",";

        private final Path dir;
        private int outputs;
        private String gmm;
        private String mle;

        Fixtures(Path dir) {
            this.dir = dir;
        }

        static Path repository() {
            Path p = Path.of("").toAbsolutePath();
            return Files.exists(p.resolve("README.md")) && Files.exists(p.resolve("jobs")) ? p : p.getParent();
        }

        String path(String relative) {
            return dir.resolve(relative).toString();
        }

        /** A fresh output path. */
        String out() {
            return path("out-" + (++outputs));
        }

        String file(String relative, String text) {
            try {
                Path p = dir.resolve(relative);
                Files.createDirectories(p.getParent());
                Files.writeString(p, text, StandardCharsets.UTF_8);
                return p.toString();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String csv(String name) {
            return file(name, "a,b\n1,2\n3,4\n5,7\n2,2\n");
        }

        /** A file of {@code size} bytes that takes no disk space (its size is all that is checked). */
        String sparse(String name, long size) {
            try (RandomAccessFile f = new RandomAccessFile(dir.resolve(name).toFile(), "rw")) {
                f.setLength(size);
                return dir.resolve(name).toString();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String iris() {
            Path p = dir.resolve("iris.csv");
            try {
                if (!Files.exists(p)) {
                    Files.copy(repository().resolve("sample-data/iris.csv"), p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return p.toString();
        }

        /** A 2-component mixture fitted to Iris (the output directory). */
        synchronized String gmm() {
            if (gmm == null) {
                gmm = path("iris-gmm");
                CliRun r = CliRun.of("gmm", "--input", iris(), "--output", gmm, "--k", "2", "--init", "k-means++");
                assertEquals(0, r.exit(), String.join("\n", r.log()));
            }
            return gmm;
        }

        synchronized String mle() {
            if (mle == null) {
                mle = path("iris-mle");
                assertEquals(0, CliRun.of("mle", "--input", iris(), "--output", mle).exit());
            }
            return mle;
        }

        String gmmText() {
            try {
                return Files.readString(Path.of(gmm(), "model.json"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** 20,000 rows of random numbers, gzipped, cut in the middle: the header sample reads, a task does not. */
        String truncatedGzip(String name) {
            try {
                java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
                try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
                    StringBuilder b = new StringBuilder("a,b,c\n");
                    for (int i = 0; i < 20_000; i++) {
                        b.append(rng.nextDouble()).append(',').append(rng.nextDouble()).append(',').append(rng.nextDouble())
                                .append('\n');
                    }
                    gz.write(b.toString().getBytes(StandardCharsets.UTF_8));
                }
                byte[] all = bytes.toByteArray();
                Path p = dir.resolve(name);
                Files.write(p, java.util.Arrays.copyOf(all, all.length / 2));
                return p.toString();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** A gmm run stopped after two iterations, its newest checkpoint cut short; the command to resume it. */
        String[] truncatedCheckpoint() {
            String ckpt = path("trunc-ckpt");
            String[] cmd = {"gmm", "--input", iris(), "--output", out(), "--k", "2", "--init", "k-means++", "--max-iter", "2",
                    "--tol", "0", "--checkpoint", ckpt};
            assertEquals(0, CliRun.of(cmd).exit());
            Path state = dir.resolve("trunc-ckpt/k2-full-init0/iteration-000002.json");
            try {
                String text = Files.readString(state);
                Files.writeString(state, text.substring(0, text.length() / 2));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new String[] {"gmm", "--input", iris(), "--output", out(), "--k", "2", "--init", "k-means++",
                    "--max-iter", "5", "--tol", "0", "--checkpoint", ckpt};
        }

        /** A Gaussian over {@code d} features whose mean and covariance are mostly absent: only K·d² is checked first. */
        static String wideGaussian(int d) {
            StringBuilder b = new StringBuilder("{\"kind\":\"gaussian\",\"formatVersion\":1,\"features\":[");
            for (int j = 0; j < d; j++) {
                b.append(j == 0 ? "" : ",").append("\"f").append(j).append('"');
            }
            return b.append("],\"mean\":[],\"covariance\":[]}").toString();
        }

        /** The shared inputs and outputs are untouched by every case. */
        void assertIntact() {
            try {
                if (Files.exists(dir.resolve("iris.csv"))) {
                    assertEquals(Files.readString(repository().resolve("sample-data/iris.csv")),
                            Files.readString(dir.resolve("iris.csv")));
                }
                if (gmm != null) {
                    assertTrue(Files.exists(Path.of(gmm, "model.json")) && Files.exists(Path.of(gmm, "_SUCCESS")));
                }
                if (Files.exists(dir.resolve("mine/notes.txt"))) {
                    assertEquals("my notes", Files.readString(dir.resolve("mine/notes.txt")));
                }
                assertTrue(Files.exists(repository().resolve("README.md")), "the working directory is intact");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
