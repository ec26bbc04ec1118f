package io.sufstat.jobs.io;

import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Failure;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * An output directory written atomically: everything goes to a hidden sibling
 * {@code .NAME.sufstat-<uuid>.tmp}, then {@code _SUCCESS} is written last and the directory is renamed
 * into place. A failed or killed job leaves DIR as it was (and at most a hidden temporary directory,
 * removed by {@link #abort()} when the JVM still runs). A non-empty DIR is refused unless overwrite is
 * asked for; then the old DIR is moved aside, the new one renamed in, and the old one deleted.
 *
 * <p>Atomic where the file system renames directories atomically (HDFS, local files); on object stores
 * such as S3 a rename is a copy, so there the {@code _SUCCESS} marker is what readers must check.
 */
public final class AtomicOutput {

    private static final Logger LOG = LoggerFactory.getLogger(AtomicOutput.class);

    private final FileSystem fs;
    private final Path target;
    private final Path temp;
    private final boolean overwrite;
    private boolean committed;

    private AtomicOutput(FileSystem fs, Path target, Path temp, boolean overwrite) {
        this.fs = fs;
        this.target = target;
        this.temp = temp;
        this.overwrite = overwrite;
    }

    /**
     * Checks that {@code dir} may be written and chooses the temporary location. Call before any
     * computation so that a refused output fails fast.
     */
    public static AtomicOutput prepare(String dir, boolean overwrite, Configuration conf) throws IOException {
        Path p = new Path(dir);
        FileSystem fs = p.getFileSystem(conf);
        Path target = fs.makeQualified(p);
        if (fs.exists(target)) {
            FileStatus st = fs.getFileStatus(target);
            if (st.isFile()) {
                throw new JobFailedException(Failure.OUTPUT, "output " + target + " is a file, not a directory");
            }
            if (fs.listStatus(target).length > 0 && !overwrite) {
                throw new JobFailedException(Failure.OUTPUT, "output directory " + target
                        + " is not empty; choose another --output or add --overwrite to replace it");
            }
        }
        if (target.getParent() == null) {
            throw new JobFailedException(Failure.OUTPUT, "output " + target + " is a root directory");
        }
        Path temp = new Path(target.getParent(), "." + target.getName() + ".sufstat-" + UUID.randomUUID() + ".tmp");
        return new AtomicOutput(fs, target, temp, overwrite);
    }

    /** Where the output will be once committed. */
    public Path target() {
        return target;
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
    }

    /** Writes {@code _SUCCESS} and moves the output into place. */
    public void commit() throws IOException {
        writeText("_SUCCESS", "");
        if (fs.exists(target)) {
            if (fs.listStatus(target).length == 0) {
                fs.delete(target, false);
            } else if (overwrite) {
                Path old = new Path(target.getParent(), "." + target.getName() + ".sufstat-old-" + UUID.randomUUID());
                rename(target, old);
                rename(temp, target);
                committed = true;
                if (!fs.delete(old, true)) {
                    LOG.warn("could not delete the replaced output, now at {}", old);
                }
                return;
            } else {
                throw new JobFailedException(Failure.OUTPUT, "output directory " + target + " appeared while the job ran; the result"
                        + " is left in " + temp);
            }
        }
        rename(temp, target);
        committed = true;
    }

    private void rename(Path from, Path to) throws IOException {
        if (!fs.rename(from, to)) {
            throw new IOException("could not rename " + from + " to " + to);
        }
    }

    /** Removes the temporary directory unless committed; never throws. */
    public void abort() {
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
}
