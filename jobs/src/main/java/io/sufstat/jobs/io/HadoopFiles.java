package io.sufstat.jobs.io;

import io.sufstat.jobs.cli.UsageException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Small file operations on any Hadoop path ({@code file:}, {@code hdfs:}, {@code s3a:} …). */
public final class HadoopFiles {

    private HadoopFiles() {
    }

    /** Largest configuration file read (a properties file of options is a few hundred bytes). */
    public static final long MAX_CONFIG_BYTES = 1L << 20;

    /** Reads a small text file (a configuration) from a local or Hadoop path. */
    public static String readConfigText(String path) {
        try {
            Path p = new Path(path);
            FileSystem fs = fileSystem(p, new Configuration());
            if (!fs.exists(p)) {
                throw new UsageException("configuration file " + path + " does not exist");
            }
            return readText(fs, p, MAX_CONFIG_BYTES, "configuration");
        } catch (IOException | IllegalArgumentException e) {
            throw new UsageException("cannot read configuration " + path + ": " + e.getMessage());
        }
    }

    /**
     * The file system of {@code p}; for local files the raw one, which neither writes nor verifies
     * Hadoop's {@code .NAME.crc} side files: files a person reads and edits (model.json, metrics.json)
     * get no checksum file, and a stale one never stops a hand-edited file from being read.
     */
    public static FileSystem fileSystem(Path p, Configuration conf) throws IOException {
        FileSystem fs = p.getFileSystem(conf);
        return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
    }

    /**
     * Reads a UTF-8 file of at most {@code maxBytes} (checked before anything is read); {@code what} names it
     * in the message when it is larger.
     */
    public static String readText(FileSystem fs, Path p, long maxBytes, String what) throws IOException {
        FileStatus st = fs.getFileStatus(p);
        if (st.isDirectory()) {
            throw new IOException(what + " " + p + " is a directory, not a file");
        }
        if (st.getLen() > maxBytes) {
            throw new IOException(what + " " + p + " has " + st.getLen() + " bytes, more than the " + maxBytes
                    + " this sufstat reads");
        }
        try (InputStream in = fs.open(p)) {
            byte[] b = in.readNBytes((int) maxBytes + 1);
            if (b.length > maxBytes) {
                throw new IOException(what + " " + p + " grew beyond " + maxBytes + " bytes while it was read");
            }
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    /**
     * A path or comma-separated list of paths as it may be written to metrics and reports: without the
     * user-info of a URI ({@code s3a://KEY:SECRET@bucket/…} becomes {@code s3a://bucket/…}, also when the
     * secret holds a '/').
     */
    public static String redact(String paths) {
        return paths == null ? null : paths.replaceAll("([A-Za-z][A-Za-z0-9+.-]*://)[^@\\s,]*@", "$1");
    }

    /** Files are hidden from readers when their name starts with '_' or '.', as in Hadoop and Spark. */
    public static boolean isHidden(Path p) {
        String n = p.getName();
        return n.startsWith("_") || n.startsWith(".");
    }

    /**
     * The data files an input path names: the file itself, the visible files of a directory, or the
     * matches of a glob (comma-separated paths allowed), sorted by path. Empty when nothing matches.
     */
    public static List<Path> listInputFiles(String input, Configuration conf) throws IOException {
        return matches(input, conf, (fs, dir, out) -> {
            for (FileStatus child : fs.listStatus(dir)) {
                if (child.isFile() && !isHidden(child.getPath())) {
                    out.add(child.getPath());
                }
            }
        });
    }

    /** How the files of a directory the input names are listed. */
    @FunctionalInterface
    private interface DirectoryLister {
        void add(FileSystem fs, Path dir, List<Path> out) throws IOException;
    }

    /** The files of each comma-separated part and glob match (directories through {@code dirs}), sorted. */
    private static List<Path> matches(String input, Configuration conf, DirectoryLister dirs) throws IOException {
        List<Path> out = new ArrayList<>();
        for (String part : input.split(",")) {
            Path p = new Path(part.trim());
            FileSystem fs = p.getFileSystem(conf);
            FileStatus[] matches = fs.globStatus(p);
            if (matches == null) {
                continue;
            }
            for (FileStatus st : matches) {
                if (st.isDirectory()) {
                    dirs.add(fs, st.getPath(), out);
                } else if (!isHidden(st.getPath()) || matches.length == 1) {
                    out.add(st.getPath());
                }
            }
        }
        out.sort(Comparator.comparing(Path::toString));
        return out;
    }

    /**
     * The data files of an input in {@code format}, checked: as {@link #listInputFiles}, except that a
     * visible sub-directory of a CSV input directory is refused (name the files with a glob), while for
     * Parquet, ORC and JSON, which Spark reads with partition directories ({@code day=…/}), sub-directories
     * are listed too; and files of two formats (by their extensions), or of another format than
     * {@code format}, are refused naming them. Spark reads sub-directories that are not partition
     * directories through {@link #reader}.
     */
    public static List<Path> inputFiles(String input, String format, Configuration conf) throws IOException {
        List<Path> out = matches(input, conf, (fs, dir, files) -> addDirectory(fs, dir, format, files));
        Path first = null;
        for (Path f : out) {
            String known = formatOf(f.getName());
            if (known == null) {
                continue;
            }
            if (first != null && !known.equals(formatOf(first.getName()))) {
                throw io.sufstat.jobs.cli.JobFailedException.input("the input " + redact(input) + " mixes formats: "
                        + redact(first.toString()) + " is " + formatOf(first.getName()) + ", " + redact(f.toString())
                        + " is " + known + "; read the files of one format at a time");
            }
            first = first == null ? f : first;
        }
        if (first != null && !formatOf(first.getName()).equals(format)) {
            throw io.sufstat.jobs.cli.JobFailedException.input("the input " + redact(input) + " is read as " + format
                    + ", but " + redact(first.toString()) + " is a " + formatOf(first.getName()) + " file; give --format "
                    + formatOf(first.getName()) + " (or the files of the format you meant)");
        }
        return out;
    }

    /**
     * Whether a directory of the input holds a visible sub-directory that is not a partition directory
     * ({@code key=value}): Spark's readers skip the files of such directories unless told to look
     * recursively, so sufstat tells them ({@code recursiveFileLookup}).
     */
    public static boolean hasPlainSubdirectories(String input, Configuration conf) throws IOException {
        for (String part : input.split(",")) {
            Path p = new Path(part.trim());
            FileSystem fs = p.getFileSystem(conf);
            FileStatus[] matches = fs.globStatus(p);
            for (FileStatus st : matches == null ? new FileStatus[0] : matches) {
                if (st.isDirectory() && hasPlainSubdirectory(fs, st.getPath())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean hasPlainSubdirectory(FileSystem fs, Path dir) throws IOException {
        for (FileStatus child : fs.listStatus(dir)) {
            if (child.isDirectory() && !isHidden(child.getPath())
                    && (!child.getPath().getName().contains("=") || hasPlainSubdirectory(fs, child.getPath()))) {
                return true;
            }
        }
        return false;
    }

    /** A Spark reader of {@code format} for {@code input}: recursive where plain sub-directories hold files. */
    public static org.apache.spark.sql.DataFrameReader reader(org.apache.spark.sql.SparkSession spark, String input,
                                                              String format) throws IOException {
        org.apache.spark.sql.DataFrameReader r = spark.read().format(format);
        return hasPlainSubdirectories(input, spark.sparkContext().hadoopConfiguration())
                ? r.option("recursiveFileLookup", "true") : r;
    }

    private static void addDirectory(FileSystem fs, Path dir, String format, List<Path> out) throws IOException {
        for (FileStatus child : fs.listStatus(dir)) {
            if (isHidden(child.getPath())) {
                continue;
            }
            if (child.isFile()) {
                out.add(child.getPath());
            } else if (format.equals("csv")) {
                throw io.sufstat.jobs.cli.JobFailedException.input("the input directory " + redact(dir.toString())
                        + " holds the sub-directory " + child.getPath().getName() + "; sufstat reads the CSV files"
                        + " directly in a directory: name the files with a glob such as " + redact(dir.toString())
                        + "/*/*.csv, or list them separated by commas");
            } else {
                addDirectory(fs, child.getPath(), format, out);
            }
        }
    }

    /** The format a file name says (by extension, compression suffix aside), or null when it says none. */
    static String formatOf(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT).replaceAll("\\.(gz|bz2|snappy|zst|lz4|deflate)$", "");
        if (n.endsWith(".parquet")) {
            return "parquet";
        }
        if (n.endsWith(".orc")) {
            return "orc";
        }
        if (n.endsWith(".json") || n.endsWith(".jsonl") || n.endsWith(".ndjson")) {
            return "json";
        }
        if (n.endsWith(".csv") || n.endsWith(".tsv") || n.endsWith(".txt")) {
            return "csv";
        }
        return null;
    }

    /** Opens a text file, decompressing by its extension (.gz, .bz2, …). */
    public static BufferedReader openText(Path p, Configuration conf) throws IOException {
        FileSystem fs = p.getFileSystem(conf);
        InputStream raw = fs.open(p);
        CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(p);
        InputStream in = codec == null ? raw : codec.createInputStream(raw);
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    }

    /** Up to {@code max} first lines of a text file. */
    public static List<String> headLines(Path p, Configuration conf, int max) throws IOException {
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = openText(p, conf)) {
            String line;
            while (lines.size() < max && (line = r.readLine()) != null) {
                lines.add(line);
            }
        }
        return lines;
    }

    /**
     * The 1-based line number of the line starting at byte {@code offset} of an uncompressed file: one
     * more than the newlines before it. Reads the file up to the offset (done once, when failing).
     */
    public static long lineNumberAt(Path p, Configuration conf, long offset) {
        try (InputStream in = p.getFileSystem(conf).open(p)) {
            byte[] buf = new byte[1 << 16];
            long remaining = offset;
            long lines = 1;
            while (remaining > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, remaining));
                if (n < 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        lines++;
                    }
                }
                remaining -= n;
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
