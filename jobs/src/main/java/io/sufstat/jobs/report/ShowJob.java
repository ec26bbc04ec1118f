package io.sufstat.jobs.report;

import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.core.Job;
import io.sufstat.jobs.core.JobContext;
import io.sufstat.jobs.io.HadoopFiles;
import io.sufstat.jobs.io.ModelJson;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * {@code sufstat show PATH}: the summary a job prints when it ends, for any sufstat output directory or
 * model.json, read without starting Spark (a plain Hadoop configuration reaches local files and, when the
 * environment configures it, HDFS).
 */
public final class ShowJob implements Job {

    /** This job's main class. */
    public static final String CLASS = "io.sufstat.jobs.report.ShowJob";

    static final Opt<String> PATH = Opt.text("path", "PATH", "A fit's output directory or its model.json, a compare"
            + " output (report.json) or a score output (_metrics.json).").required();

    /** Largest metrics, selection or report file read. */
    static final long MAX_BYTES = 16L << 20;

    public static void main(String[] args) {
        io.sufstat.jobs.core.Runner.main(new ShowJob(), args);
    }

    @Override
    public String name() {
        return "show";
    }

    @Override
    public String summary() {
        return "Print the summary of a model or of any job's output (no Spark session; about a second).";
    }

    @Override
    public String synopsis() {
        return "--path DIR|model.json";
    }

    @Override
    public String description() {
        return "Prints what the job printed when it ended: for a fit, one line per component (weight, rows, mean and"
                + " standard deviation of the first features), the log-likelihood, BIC, AIC, iterations and convergence,"
                + " the BIC table of a selection and any warnings; for ppca the variance along each principal axis; for"
                + " compare the divergences and the verdict; for score the anomaly count. Reads the files with a plain"
                + " Hadoop configuration: no Spark session starts.";
    }

    @Override
    public List<Opt<?>> options() {
        return List.of(PATH);
    }

    @Override
    public void run(Options o, JobContext ctx) throws Exception {
        System.out.print(summarise(o.get(PATH), new Configuration()));
        System.out.flush();
    }

    /** The summary of the output at {@code path}: a directory, its model.json or a report.json. */
    public static String summarise(String path, Configuration conf) throws IOException {
        String trimmed = path.replaceAll("/+$", "");
        Path p = new Path(trimmed);
        FileSystem fs = HadoopFiles.fileSystem(p, conf);
        if (!fs.exists(p)) {
            throw JobFailedException.model(HadoopFiles.redact(trimmed) + " does not exist; give show a sufstat output"
                    + " directory or a model.json");
        }
        boolean file = fs.getFileStatus(p).isFile();
        Path dir = file ? p.getParent() : p;
        String where = HadoopFiles.redact(fs.makeQualified(dir).toString());
        Summary.Files files = new Summary.Files() {
            @Override
            public Optional<String> text(String name) throws IOException {
                return read(fs, p, dir, file, name);
            }

            @Override
            public boolean has(String name) throws IOException {
                Path f = new Path(dir, name);
                return fs.exists(f) && fs.getFileStatus(f).isFile();
            }
        };
        return Summary.ofFiles(files, where).orElseThrow(() -> JobFailedException.model(HadoopFiles.redact(trimmed)
                + " holds no model.json, report.json or score output; give show the output directory of a sufstat"
                + " fit, compare or score, or a model.json"));
    }

    /** A file of the output named {@code name}; a file named on the command line stands for its kind only. */
    private static Optional<String> read(FileSystem fs, Path p, Path dir, boolean file, String name)
            throws IOException {
        Path f = file && (name.equals("model.json") || name.equals("report.json")) ? p : new Path(dir, name);
        if (file && !f.equals(p) && (name.equals("model.json") || name.equals("report.json"))) {
            return Optional.empty();
        }
        if (!fs.exists(f) || fs.getFileStatus(f).isDirectory()) {
            return Optional.empty();
        }
        if (file && f.equals(p) && !kindMatches(fs, p, name)) {
            return Optional.empty();
        }
        return Optional.of(HadoopFiles.readText(fs, f, name.equals("model.json") ? ModelJson.MAX_FILE_BYTES
                : MAX_BYTES, "file"));
    }

    /** Whether the file named on the command line is a drift report (report.json) or a model (model.json). */
    private static boolean kindMatches(FileSystem fs, Path p, String name) throws IOException {
        String text = HadoopFiles.readText(fs, p, ModelJson.MAX_FILE_BYTES, "file");
        boolean report = text.contains("\"drift-report\"");
        return name.equals("report.json") == report;
    }
}
