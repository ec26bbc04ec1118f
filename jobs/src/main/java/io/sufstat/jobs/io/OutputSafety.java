package io.sufstat.jobs.io;

import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.Options;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a job may not write: an output equal to, inside or containing one of the job's own input,
 * model, checkpoint or configuration paths, the working directory or one of its ancestors, the home
 * directory, or a file-system root. Refused with or without {@code --overwrite}, before any work.
 * Local paths are compared after resolving symbolic links.
 */
public final class OutputSafety {

    private OutputSafety() {
    }

    /** A path the output must stay apart from, and what it is ("the input", "--checkpoint"). */
    record Protected(String role, String where) {
    }

    /**
     * The paths named by the job's options that read paths or keep state in them ({@link Opt#protectsPath}: the
     * input, models, checkpoint, configuration); a glob or a comma-separated list gives several. An
     * {@code --init} that names a method rather than a file is no path.
     */
    static List<Protected> protectedPaths(Options o) {
        List<Protected> out = new ArrayList<>();
        for (Opt<?> opt : o.declared()) {
            if (!opt.isProtectedPath()) {
                continue;
            }
            String name = opt.name();
            for (String value : o.text(opt).filter(v -> !v.isBlank()).map(v -> v.split(",")).orElse(new String[0])) {
                String v = value.trim();
                if (name.equals("init") && !(v.contains("/") || v.endsWith(".json"))) {
                    continue;
                }
                out.add(new Protected(opt == InputOptions.INPUT ? "the input" : "--" + name, v));
            }
        }
        return out;
    }

    /**
     * Refuses {@code target} (qualified, on {@code fs}) when it is a root, the working or home directory
     * or an ancestor of the working directory, or equal to, inside or around a protected path.
     */
    static void check(FileSystem fs, Path target, List<Protected> paths, Configuration conf) throws IOException {
        String t = canonical(target);
        if (target.getParent() == null || target.isRoot()) {
            throw refuse(target, "is a file-system root");
        }
        List<String[]> places = new ArrayList<>();
        places.add(new String[] {"the working directory", canonical(fs.makeQualified(fs.getWorkingDirectory()))});
        places.add(new String[] {"the home directory", canonical(fs.makeQualified(fs.getHomeDirectory()))});
        if ("file".equals(target.toUri().getScheme())) {
            places.add(new String[] {"the working directory", canonical(new File(System.getProperty("user.dir")))});
            places.add(new String[] {"the home directory", canonical(new File(System.getProperty("user.home")))});
        }
        for (String[] place : places) {
            if (t.equals(place[1]) || isInside(t, place[1])) {
                throw refuse(target, t.equals(place[1]) ? "is " + place[0]
                        : "contains " + place[0] + " (" + place[1] + ")");
            }
        }
        for (Protected p : paths) {
            for (String q : resolve(p.where(), conf)) {
                String role = p.role() + " " + HadoopFiles.redact(p.where());
                if (t.equals(q)) {
                    throw refuse(target, "is " + role);
                }
                if (isInside(t, q)) {
                    throw refuse(target, "contains " + role);
                }
                if (isInside(q, t)) {
                    throw refuse(target, "is inside " + role);
                }
            }
        }
    }

    /**
     * Refuses a directory the job writes besides its output (a checkpoint) when it overlaps the input, whose
     * listing its files would join.
     */
    public static void checkApart(String dir, String role, Options o, Configuration conf) throws IOException {
        Path p = new Path(dir);
        String t = canonical(p.getFileSystem(conf).makeQualified(p));
        for (Protected input : protectedPaths(o)) {
            if (!input.role().equals("the input")) {
                continue;
            }
            for (String q : resolve(input.where(), conf)) {
                if (t.equals(q) || isInside(t, q) || isInside(q, t)) {
                    throw JobFailedException.output(role + " " + HadoopFiles.redact(dir) + " overlaps the input "
                            + HadoopFiles.redact(input.where()) + "; keep it apart from the data");
                }
            }
        }
    }

    private static JobFailedException refuse(Path target, String why) {
        return JobFailedException.output("refusing to write output " + HadoopFiles.redact(target.toString()) + ": it "
                + why + "; choose another --output");
    }

    /** The places a path names: itself, or its glob's matches. */
    private static List<String> resolve(String where, Configuration conf) throws IOException {
        List<String> out = new ArrayList<>();
        Path p = new Path(where);
        FileSystem fs = p.getFileSystem(conf);
        Path q = fs.makeQualified(p);
        String s = q.toUri().getPath();
        int glob = indexOfGlob(s);
        if (glob < 0) {
            out.add(canonical(q));
            return out;
        }
        FileStatus[] matches = fs.globStatus(q);
        if (matches != null) {
            for (FileStatus m : matches) {
                out.add(canonical(m.getPath()));
            }
        }
        return out;
    }

    private static int indexOfGlob(String s) {
        for (int i = 0; i < s.length(); i++) {
            if ("*?[{".indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isInside(String outer, String inner) {
        String o = outer.endsWith("/") ? outer : outer + "/";
        return inner.startsWith(o);
    }

    /** A qualified path as a comparable string; local paths with symbolic links resolved. */
    static String canonical(Path p) throws IOException {
        URI u = p.toUri();
        if ("file".equals(u.getScheme())) {
            return canonical(new File(u.getPath()));
        }
        String path = u.getPath().replaceAll("/+$", "");
        return u.getScheme() + "://" + (u.getAuthority() == null ? "" : u.getAuthority()) + (path.isEmpty() ? "/" : path);
    }

    private static String canonical(File f) throws IOException {
        return "file://" + f.getCanonicalFile().getPath();
    }
}
