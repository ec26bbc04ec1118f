package io.sufstat.jobs.io;

import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.Options;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An output directory written atomically and never at the expense of what sufstat did not write.
 *
 * <ul>
 * <li>Everything goes to a hidden sibling {@code .NAME.sufstat-tmp-HOST-PID-ID}; {@link #commit()}
 * writes the marker {@value #MARKER} (which says that sufstat wrote the directory) and {@code _SUCCESS},
 * removes Hadoop's {@code .crc} side files, and renames the directory into place under a short commit
 * lock ({@code .NAME.sufstat-lock}). Renames never replace an existing directory, so two runs that
 * write one output each either commit or fail clearly.</li>
 * <li>An existing non-empty DIR is replaced only with {@code --overwrite} and only when it holds the
 * marker: the old one is renamed aside ({@code .NAME.sufstat-old-…}), the new one renamed in, the old
 * one deleted. A run killed between the two renames is undone by the next run to DIR, which puts the
 * old output back.</li>
 * <li>The next run to DIR removes hidden temporary directories of runs that are gone: on this host,
 * when their process no longer exists; elsewhere, when their heartbeat (the directory's modification
 * time, refreshed every minute) is older than ten minutes.</li>
 * <li>Where DIR may be is checked first ({@link OutputSafety}).</li>
 * </ul>
 *
 * <p>Atomic where the file system renames directories atomically (HDFS, local files); on object stores
 * such as S3 a rename is a copy, so there {@code _SUCCESS} is what readers must check.
 */
public final class AtomicOutput {

    /** The file that marks a directory as written by sufstat; readers skip it (leading '_'). */
    public static final String MARKER = "_SUFSTAT";

    private static final Logger LOG = LoggerFactory.getLogger(AtomicOutput.class);
    private static final long HEARTBEAT_MS = 60_000;
    private static final long STALE_MS = 10 * 60_000;
    private static final long LOCK_WAIT_MS = 120_000;
    private static final String OWNER = Owner.current();

    private final FileSystem fs;
    private final Path target;
    private final Path temp;
    private final boolean overwrite;
    private final String job;
    private final ScheduledExecutorService heartbeat;
    private boolean committed;

    private final java.util.Map<String, String> texts = new java.util.LinkedHashMap<>();

    private AtomicOutput(FileSystem fs, Path target, Path temp, boolean overwrite, String job) {
        this.fs = fs;
        this.target = target;
        this.temp = temp;
        this.overwrite = overwrite;
        this.job = job;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sufstat-output-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleAtFixedRate(this::beat, HEARTBEAT_MS, HEARTBEAT_MS, TimeUnit.MILLISECONDS);
    }

    /** {@code --output DIR}: every job that writes declares it. */
    public static final Opt<String> OUTPUT = Opt.text("output", "DIR", "Output directory (any Hadoop path); absent or"
            + " empty (see --overwrite).").required();
    /** {@code --overwrite}. */
    public static final Opt<Boolean> OVERWRITE = Opt.flag("overwrite", "Replace an earlier sufstat output in the output"
            + " directory (never a directory sufstat did not write).");

    /**
     * The output of the job whose options are {@code o}: {@code --output}, {@code --overwrite}, and the
     * paths the output must stay apart from (input, models, checkpoint, configuration). Call before any
     * computation so that a refused output fails fast.
     */
    public static AtomicOutput prepare(Options o, Configuration conf) throws IOException {
        return prepare(o.get(OUTPUT), o.get(OVERWRITE), o.job(), OutputSafety.protectedPaths(o), conf);
    }

    /**
     * An output at {@code dir} that a job manages itself (a streaming job's model versions): the same atomic
     * commit and the same refusal of directories sufstat did not write.
     */
    public static AtomicOutput at(String dir, boolean overwrite, String job, Configuration conf) throws IOException {
        return prepare(dir, overwrite, job, List.of(), conf);
    }

    static AtomicOutput prepare(String dir, boolean overwrite, String job, List<OutputSafety.Protected> protectedPaths,
                                Configuration conf) throws IOException {
        Path p = new Path(dir);
        FileSystem fs = HadoopFiles.fileSystem(p, conf);
        Path target = fs.makeQualified(p);
        OutputSafety.check(fs, target, protectedPaths, conf);
        recoverSiblings(fs, target);
        if (fs.exists(target)) {
            FileStatus st = fs.getFileStatus(target);
            if (st.isFile()) {
                throw JobFailedException.output("output " + show(target) + " is a file, not a directory; choose another"
                        + " --output");
            }
            FileStatus[] entries = fs.listStatus(target);
            if (entries.length > 0 && !fs.exists(new Path(target, MARKER))) {
                throw notOurs(target, entries);
            }
            if (entries.length > 0 && !overwrite) {
                throw JobFailedException.output("output directory " + show(target) + " holds an earlier sufstat output;"
                        + " add --overwrite to replace it, or choose another --output");
            }
        }
        String name = "." + target.getName() + ".sufstat-tmp-" + OWNER + "-" + UUID.randomUUID().toString().substring(0, 8);
        return new AtomicOutput(fs, target, new Path(target.getParent(), name), overwrite, job);
    }

    private static JobFailedException notOurs(Path target, FileStatus[] entries) {
        List<String> names = new ArrayList<>();
        Arrays.stream(entries).map(e -> e.getPath().getName() + (e.isDirectory() ? "/" : "")).sorted().limit(5)
                .forEach(names::add);
        return JobFailedException.output("output directory " + show(target) + " is not empty and was not written by"
                + " sufstat (no " + MARKER + " marker; it holds " + entries.length + (entries.length == 1 ? " entry: " : " entries: ") + String.join(", ", names)
                + (entries.length > 5 ? ", …" : "") + "); sufstat never replaces such a directory, even with --overwrite:"
                + " choose another --output, or move it away yourself");
    }

    /** Where the output will be once committed. */
    public Path target() {
        return target;
    }

    /** The output's path as logs and messages show it (without URI credentials). */
    public String shown() {
        return show(target);
    }

    /** The temporary directory itself (for a Spark writer that writes the whole output). */
    public String root() {
        return temp.toString();
    }

    /** A path inside the temporary directory, for Spark writers. */
    public String path(String relative) {
        return new Path(temp, relative).toString();
    }

    /** Writes a small UTF-8 file inside the output (replacing one of that name). */
    public void writeText(String relative, String content) throws IOException {
        try (OutputStream out = fs.create(new Path(temp, relative), true)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
        texts.put(relative, content);
    }

    /** The text of a small file this output wrote with {@link #writeText}, for the summary a job prints. */
    public java.util.Optional<String> writtenText(String relative) {
        return java.util.Optional.ofNullable(texts.get(relative));
    }

    /**
     * Marks the output as sufstat's, writes {@code _SUCCESS} and moves it into place.
     *
     * @throws JobFailedException when another run wrote DIR meanwhile (this run's result is discarded)
     */
    public void commit() throws IOException {
        writeText(MARKER, Json.write(marker()));
        writeText("_SUCCESS", "");
        removeChecksumFiles(temp);
        LOG.debug("committing {} to {}", temp, target);
        try (Lock ignored = Lock.acquire(fs, target)) {
            if (fs.exists(target) && fs.listStatus(target).length == 0) {
                fs.delete(target, false);
            }
            if (!fs.exists(target)) {
                renameNoReplace(fs, temp, target);
                committed = true;
                return;
            }
            if (!fs.exists(new Path(target, MARKER))) {
                throw notOurs(target, fs.listStatus(target));
            }
            if (!overwrite) {
                throw JobFailedException.output("output directory " + show(target) + " was written by another run while"
                        + " this one ran; this run's result was discarded. Rerun with --overwrite to replace it");
            }
            Path old = new Path(target.getParent(), "." + target.getName() + ".sufstat-old-" + OWNER + "-"
                    + UUID.randomUUID().toString().substring(0, 8));
            renameNoReplace(fs, target, old);
            renameNoReplace(fs, temp, target);
            committed = true;
            if (!fs.delete(old, true)) {
                LOG.warn("could not delete the replaced output, now at {}", old);
            }
        } finally {
            heartbeat.shutdownNow();
        }
    }

    /** Removes the temporary directory unless committed; never throws. */
    public void abort() {
        heartbeat.shutdownNow();
        if (committed) {
            return;
        }
        try {
            if (fs.exists(temp)) {
                fs.delete(temp, true);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not remove the temporary output {}: {}", temp, e.toString());
        }
    }

    private com.fasterxml.jackson.databind.node.ObjectNode marker() {
        var n = Json.object();
        n.put("writer", "sufstat");
        n.put("job", job);
        n.put("formatVersion", ModelJson.FORMAT_VERSION);
        return n;
    }

    private void beat() {
        try {
            if (fs.exists(temp)) {
                fs.setTimes(temp, System.currentTimeMillis(), -1);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("heartbeat of {} failed: {}", temp, e.toString());
        }
    }

    private static String show(Path p) {
        return HadoopFiles.redact(p.toString());
    }

    /** Deletes the {@code .NAME.crc} files Hadoop's local file system leaves beside files written through it. */
    private void removeChecksumFiles(Path dir) throws IOException {
        RemoteIterator<org.apache.hadoop.fs.LocatedFileStatus> it = fs.listFiles(dir, true);
        List<Path> crc = new ArrayList<>();
        while (it.hasNext()) {
            Path f = it.next().getPath();
            if (f.getName().startsWith(".") && f.getName().endsWith(".crc")) {
                crc.add(f);
            }
        }
        for (Path f : crc) {
            fs.delete(f, false);
        }
    }

    /** Renames a directory, failing (never nesting it, never replacing) when the destination exists. */
    static void renameNoReplace(FileSystem fs, Path from, Path to) throws IOException {
        if ("file".equals(from.toUri().getScheme())) {
            try {
                Files.move(java.nio.file.Path.of(from.toUri()), java.nio.file.Path.of(to.toUri()),
                        StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new IOException("could not rename " + from + " to " + to + ": " + e, e);
            }
            return;
        }
        FileContext.getFileContext(from.toUri(), fs.getConf()).rename(from, to, org.apache.hadoop.fs.Options.Rename.NONE);
    }

    /**
     * Cleans up after runs to this output that are gone: removes their temporary directories and the
     * replaced outputs they left aside, and when a run died between moving the old output aside and
     * renaming its own in (no output in place), puts the old output back.
     */
    private static void recoverSiblings(FileSystem fs, Path target) throws IOException {
        String prefix = "." + target.getName() + ".sufstat-";
        if (!fs.exists(target.getParent())) {
            return;
        }
        // Only names sufstat gives: tmp-/old-HOST-PID-ID, and an older sufstat's UUID.tmp and old-UUID.
        java.util.regex.Pattern ours = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(prefix)
                + "((tmp|old)-.+-\\d+-[0-9a-f]{8}|[0-9a-f-]{36}\\.tmp|old-[0-9a-f-]{36})");
        FileStatus[] siblings = fs.listStatus(target.getParent(), p -> ours.matcher(p.getName()).matches());
        List<FileStatus> dead = new ArrayList<>();
        for (FileStatus s : siblings) {
            if (Owner.isGone(s.getPath().getName().substring(prefix.length()), s.getModificationTime(), STALE_MS)) {
                dead.add(s);
            }
        }
        if (dead.isEmpty()) {
            return;
        }
        try (Lock ignored = Lock.acquire(fs, target)) {
            for (FileStatus s : dead) {
                Path p = s.getPath();
                boolean old = p.getName().startsWith(prefix + "old-");
                if (old && !fs.exists(target) && fs.exists(new Path(p, MARKER))) {
                    renameNoReplace(fs, p, target);
                    LOG.warn("restored the previous output {} that a killed run had moved aside", show(target));
                } else if (fs.exists(p)) {
                    fs.delete(p, true);
                    LOG.info("removed {} left by a run that is gone", p);
                }
            }
        }
    }

    /** Who is running: {@code HOST-PID}, in the names of temporary directories and locks. */
    static final class Owner {
        private Owner() {
        }

        static String current() {
            String host;
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (IOException | RuntimeException e) {
                host = "unknown";
            }
            return host.replaceAll("[^A-Za-z0-9.]", "_") + "-" + ProcessHandle.current().pid();
        }

        private static String host() {
            return OWNER.substring(0, OWNER.lastIndexOf('-'));
        }

        /**
         * Whether the owner encoded in {@code rest} ({@code tmp-HOST-PID-ID} or {@code old-HOST-PID-ID}, or
         * an older sufstat's {@code UUID.tmp}) is gone: a process of this host that no longer exists, or a
         * directory whose heartbeat is older than {@code staleMs}.
         */
        static boolean isGone(String rest, long modified, long staleMs) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:tmp|old)-(.+)-(\\d+)-[0-9a-f]{8}").matcher(rest);
            if (m.matches() && m.group(1).equals(host())) {
                long pid = Long.parseLong(m.group(2));
                return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
            }
            return System.currentTimeMillis() - modified > staleMs;
        }
    }

    /** The commit lock of one output: a file created only if absent; a dead owner's lock is broken. */
    static final class Lock implements AutoCloseable {
        private final FileSystem fs;
        private final Path path;

        private Lock(FileSystem fs, Path path) {
            this.fs = fs;
            this.path = path;
        }

        static Lock acquire(FileSystem fs, Path target) throws IOException {
            Path path = new Path(target.getParent(), "." + target.getName() + ".sufstat-lock");
            long deadline = System.currentTimeMillis() + LOCK_WAIT_MS;
            while (true) {
                if (create(fs, path)) {
                    return new Lock(fs, path);
                }
                String owner = "";
                long modified = System.currentTimeMillis();
                try (java.io.InputStream in = fs.open(path)) {
                    owner = new String(in.readNBytes(1024), StandardCharsets.UTF_8).trim();
                    modified = fs.getFileStatus(path).getModificationTime();
                } catch (java.io.FileNotFoundException e) {
                    continue;
                }
                if (Owner.isGone("tmp-" + owner + "-00000000", modified, STALE_MS)) {
                    LOG.warn("breaking the commit lock {} of a run that is gone ({})", path, owner);
                    fs.delete(path, false);
                    continue;
                }
                if (System.currentTimeMillis() > deadline) {
                    throw JobFailedException.output("output " + show(target) + " is being committed by another run ("
                            + owner + ", lock " + show(path) + "); try again later");
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for " + path, e);
                }
            }
        }

        /** Creates the lock file if absent, atomically (O_EXCL locally, create-without-overwrite elsewhere). */
        private static boolean create(FileSystem fs, Path path) throws IOException {
            byte[] content = (OWNER + "\n").getBytes(StandardCharsets.UTF_8);
            if ("file".equals(path.toUri().getScheme())) {
                try {
                    Files.write(java.nio.file.Path.of(path.toUri()), content, java.nio.file.StandardOpenOption.CREATE_NEW,
                            java.nio.file.StandardOpenOption.WRITE);
                    return true;
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    return false;
                }
            }
            try (OutputStream out = fs.create(path, false)) {
                out.write(content);
                return true;
            } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
                return false;
            }
        }

        @Override
        public void close() throws IOException {
            fs.delete(path, false);
        }
    }
}
