package io.sufstat.jobs;

import io.sufstat.jobs.bench.BenchMleJob;
import io.sufstat.jobs.cli.Failure;
import io.sufstat.jobs.core.Job;
import io.sufstat.jobs.core.Runner;
import io.sufstat.jobs.generate.GenerateJob;
import io.sufstat.jobs.mle.MleJob;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The command line and the registry of jobs: {@code sufstat JOB [options]}, also the entry point under
 * spark-submit ({@code --class io.sufstat.jobs.Sufstat sufstat-jobs.jar JOB …}). Running one job — its
 * options, logging, failures and exit status — is {@link Runner}'s, which each job's own main class
 * calls directly (so jobs never depend on this registry).
 */
public final class Sufstat {

    /** Every job, by name, in the order {@code --help} lists them. */
    public static final Map<String, Job> JOBS = registry(new MleJob(), new io.sufstat.jobs.mle.MergeJob(), new io.sufstat.jobs.stream.StreamJob(), new io.sufstat.jobs.gmm.GmmJob(),
            new io.sufstat.jobs.score.ScoreJob(), new io.sufstat.jobs.sample.SampleJob(),
            new io.sufstat.jobs.impute.ImputeJob(), new io.sufstat.jobs.compare.CompareJob(),
            new io.sufstat.jobs.ppca.PpcaJob(), new io.sufstat.jobs.ppca.MppcaJob(), new io.sufstat.jobs.tmm.TmmJob(),
            new io.sufstat.jobs.bgmm.BgmmJob(), new io.sufstat.jobs.report.ShowJob(),
            new GenerateJob(),
            new BenchMleJob(), new io.sufstat.jobs.bench.BenchGmmJob(), new io.sufstat.jobs.bench.BenchStochasticJob(),
            new io.sufstat.jobs.bench.BenchPpcaJob(), new io.sufstat.jobs.bench.BenchStartupJob(), new io.sufstat.jobs.bench.BenchIoJob());

    private Sufstat() {
    }

    private static Map<String, Job> registry(Job... jobs) {
        Map<String, Job> m = new LinkedHashMap<>();
        for (Job j : jobs) {
            m.put(j.name(), j);
        }
        return m;
    }

    public static void main(String[] args) {
        Runner.exit(run(args));
    }

    /** The command line without exiting: the exit status ({@link Failure}). */
    public static int run(String[] args) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            System.out.println(overview());
            return args.length == 0 ? Failure.USAGE.exitCode() : 0;
        }
        Job job = JOBS.get(args[0]);
        if (job == null) {
            System.err.println("sufstat: unknown job '" + args[0] + "'; jobs: " + String.join(", ", JOBS.keySet())
                    + " ('sufstat --help' describes them)");
            return Failure.USAGE.exitCode();
        }
        return Runner.run(job, Arrays.copyOfRange(args, 1, args.length), null);
    }

    static String overview() {
        StringBuilder b = new StringBuilder("Usage: sufstat JOB [options]   (sufstat JOB --help for its options)\n\n"
                + "Gaussian models from sufficient statistics on Apache Spark.\n\nJobs:\n");
        int width = JOBS.keySet().stream().mapToInt(String::length).max().orElse(10);
        for (Job j : JOBS.values()) {
            b.append(String.format("  %-" + width + "s %s%n", j.name(), j.summary()));
        }
        return b.toString().stripTrailing();
    }
}
