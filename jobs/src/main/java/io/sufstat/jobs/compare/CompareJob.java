package io.sufstat.jobs.compare;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.common.inference.Divergences;
import io.sufstat.common.inference.Estimate;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.jobs.core.Job;
import io.sufstat.jobs.core.JobContext;
import io.sufstat.jobs.cli.JobFailedException;
import io.sufstat.jobs.cli.Failure;
import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.cli.UsageException;
import io.sufstat.jobs.io.AtomicOutput;
import io.sufstat.jobs.io.HadoopFiles;
import io.sufstat.jobs.io.Json;
import io.sufstat.jobs.io.ModelJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code sufstat compare}: a drift report between two models of the same features — KL divergence both
 * ways, each model's entropy and, on request, the mutual information between two feature groups; closed
 * forms for single Gaussians, seeded Monte Carlo with standard errors (and Hershey &amp; Olsen's variational
 * KL) for mixtures. {@code --fail-above} turns it into a scheduled drift check.
 */
public final class CompareJob implements Job {

    private static final Logger LOG = LoggerFactory.getLogger(CompareJob.class);

    /** This job's main class, for spark-submit. */
    public static final String CLASS = "io.sufstat.jobs.compare.CompareJob";

    /** {@code spark-submit --class {@value #CLASS} sufstat-jobs.jar [options]}: the same options as the launcher. */
    public static void main(String[] args) {
        io.sufstat.jobs.core.Runner.main(new CompareJob(), args);
    }

    @Override
    public String name() {
        return "compare";
    }

    @Override
    public String summary() {
        return "Drift report between two models: KL both ways, entropies, mutual information; --fail-above.";
    }

    @Override
    public String synopsis() {
        return "--model-a DIR|model.json --model-b DIR|model.json --output DIR [--fail-above X] [options]";
    }

    @Override
    public String description() {
        return "Compares model A (e.g. yesterday's) with model B (today's), both fitted on the same features."
                + " Writes DIR/report.json: KL(A‖B) and KL(B‖A) in nats — closed form when both are single Gaussians,"
                + " otherwise a Monte Carlo estimate from --samples draws with its standard error, beside the"
                + " variational approximation of Hershey & Olsen (2007) — the entropy of each model (closed form or"
                + " Monte Carlo), and with --mi-groups the mutual information between two feature groups in each model."
                + " With --fail-above X the job writes the report and then fails (exit 7) when either KL direction"
                + " exceeds X, so a scheduled task can alert on drift.";
    }

    static final Opt<String> MODEL_A = Opt.text("model-a", "PATH", "The reference model: a model.json or a fit's output"
            + " directory.").required().protectsPath();
    static final Opt<String> MODEL_B = Opt.text("model-b", "PATH", "The model compared with it.").required()
            .protectsPath();
    static final Opt<Integer> SAMPLES = Opt.integer("samples", "N", "Monte Carlo draws for mixtures.").defaultsTo("100000")
            .check(n -> n >= 2, "at least 2");
    static final Opt<Long> SEED = Opt.whole("seed", "S", "Random seed of the Monte Carlo draws.").defaultsTo("42");
    static final Opt<String> MI_GROUPS = Opt.text("mi-groups", "A1,A2;B1,B2", "Two disjoint feature groups, separated"
            + " by ';': report their mutual information in each model.");
    static final Opt<Double> FAIL_ABOVE = Opt.number("fail-above", "X", "Fail (after writing the report) when KL(A‖B) or"
            + " KL(B‖A) exceeds X nats.").check(x -> x >= 0, "a non-negative number of nats");

    @Override
    public List<Opt<?>> options() {
        return List.of(MODEL_A, MODEL_B, AtomicOutput.OUTPUT, SAMPLES, SEED, MI_GROUPS, FAIL_ABOVE,
                io.sufstat.jobs.report.FitReport.OPTION, AtomicOutput.OVERWRITE);
    }

    @Override
    public void run(Options o, JobContext ctx) throws Exception {
        int samples = o.get(SAMPLES);
        long seed = o.get(SEED);
        Double failAbove = o.find(FAIL_ABOVE).orElse(null);
        String pathA = o.get(MODEL_A);
        String pathB = o.get(MODEL_B);
        ModelJson.Loaded a = ModelJson.load(pathA, ctx.hadoopConf());
        ModelJson.Loaded b = ModelJson.load(pathB, ctx.hadoopConf());
        for (ModelJson.Loaded m : List.of(a, b)) {
            if (m.kind().equals("t-mixture")) {
                throw JobFailedException.model("compare reads Gaussian models (gaussian, gaussian-mixture, ppca, mppca);"
                        + " " + HadoopFiles.redact(m == a ? pathA : pathB) + " is a t-mixture");
            }
        }
        GaussianMixture ma = a.mixture();
        GaussianMixture mb = alignFeatures(a, b, pathA, pathB);
        List<String> features = a.features();
        int[][] groups = o.find(MI_GROUPS).map(g -> parseGroups(g, features)).orElse(null);
        AtomicOutput out = AtomicOutput.prepare(o, ctx.hadoopConf());
        try {
            long t = System.nanoTime();
            ObjectNode report = Json.object();
            report.put("kind", "drift-report");
            report.put("modelA", HadoopFiles.redact(pathA));
            report.put("modelB", HadoopFiles.redact(pathB));
            features.forEach(report.putArray("features")::add);
            report.put("componentsA", ma.size());
            report.put("componentsB", mb.size());
            // Independent, seeded streams per quantity: each is reproducible on its own.
            Estimate ab = Divergences.kl(ma, mb, samples, new SplittableRandom(seed));
            Estimate ba = Divergences.kl(mb, ma, samples, new SplittableRandom(seed + 1));
            put(report, "klAB", ab, Divergences.klVariational(ma, mb));
            put(report, "klBA", ba, Divergences.klVariational(mb, ma));
            put(report, "entropyA", Divergences.entropy(ma, samples, new SplittableRandom(seed + 2)), Double.NaN);
            put(report, "entropyB", Divergences.entropy(mb, samples, new SplittableRandom(seed + 3)), Double.NaN);
            if (groups != null) {
                ObjectNode mi = report.putObject("mutualInformation");
                for (int g = 0; g < 2; g++) {
                    var names = mi.putArray(g == 0 ? "groupA" : "groupB");
                    for (int j : groups[g]) {
                        names.add(features.get(j));
                    }
                }
                put(mi, "inA", Divergences.mutualInformation(ma, groups[0], groups[1], samples, new SplittableRandom(seed + 4)),
                        Double.NaN);
                put(mi, "inB", Divergences.mutualInformation(mb, groups[0], groups[1], samples, new SplittableRandom(seed + 5)),
                        Double.NaN);
            }
            double worst = Math.max(ab.value(), ba.value());
            boolean drift = failAbove != null && worst > failAbove;
            if (failAbove != null) {
                report.put("failAbove", failAbove);
            }
            report.put("drift", drift);
            report.put("seconds", (System.nanoTime() - t) / 1e9);
            out.writeText("report.json", Json.write(report));
            ObjectNode metrics = Json.object();
            metrics.put("job", name());
            metrics.put("klAB", ab.value());
            metrics.put("klBA", ba.value());
            metrics.put("drift", drift);
            metrics.put("samples", samples);
            metrics.put("seconds", (System.nanoTime() - t) / 1e9);
            out.writeText("metrics.json", Json.write(metrics));
            if (o.get(io.sufstat.jobs.report.FitReport.OPTION)) {
                io.sufstat.jobs.report.DataReports.drift(out, ma, mb, features);
            }
            out.commit();
            io.sufstat.jobs.report.Summary.print(out);
            LOG.info("KL(A‖B) = {}, KL(B‖A) = {}{}; wrote {}", format(ab), format(ba),
                    failAbove == null ? "" : " (threshold " + failAbove + ")", out.shown());
            if (drift) {
                throw new JobFailedException(Failure.DRIFT, String.format("drift: KL %.6g nats exceeds --fail-above %s (report in %s)",
                        worst, failAbove, out.shown()));
            }
        } finally {
            out.abort();
        }
    }

    private static String format(Estimate e) {
        return e.isExact() ? String.format("%.6g", e.value())
                : String.format("%.6g ± %.2g", e.value(), e.standardError());
    }

    private static void put(ObjectNode parent, String name, Estimate e, double variational) {
        ObjectNode n = parent.putObject(name);
        n.put("value", Json.finite(e.value(), name));
        n.put("method", e.isExact() ? "closed-form" : "monte-carlo");
        if (!e.isExact()) {
            n.put("standardError", e.standardError());
            n.put("samples", e.samples());
        }
        if (!Double.isNaN(variational)) {
            n.put("variational", variational);
        }
    }

    /** Model B with its features in model A's order; fails when the feature sets differ. */
    static GaussianMixture alignFeatures(ModelJson.Loaded a, ModelJson.Loaded b, String pathA, String pathB) {
        if (a.features().equals(b.features())) {
            return b.mixture();
        }
        if (a.features().size() != b.features().size() || !b.features().containsAll(a.features())) {
            throw new JobFailedException(Failure.MODEL, "the models have different features: " + pathA + " has " + a.features()
                    + ", " + pathB + " has " + b.features());
        }
        int d = a.features().size();
        int[] order = new int[d];
        for (int j = 0; j < d; j++) {
            order[j] = b.features().indexOf(a.features().get(j));
        }
        GaussianMixture m = b.mixture();
        double[][] means = new double[m.size()][d];
        double[][] covs = new double[m.size()][d * d];
        for (int k = 0; k < m.size(); k++) {
            double[] mu = m.component(k).mean();
            double[] cov = m.component(k).covariance();
            for (int r = 0; r < d; r++) {
                means[k][r] = mu[order[r]];
                for (int c = 0; c < d; c++) {
                    covs[k][r * d + c] = cov[order[r] * d + order[c]];
                }
            }
        }
        return GaussianMixture.of(m.covarianceType(), m.weights(), means, covs);
    }

    static int[][] parseGroups(String spec, List<String> features) {
        String[] parts = spec.split(";", -1);
        if (parts.length != 2) {
            throw new UsageException("--mi-groups needs two groups separated by ';', e.g. x1,x2;x3 (got '" + spec + "')");
        }
        int[][] groups = new int[2][];
        for (int g = 0; g < 2; g++) {
            List<Integer> idx = new ArrayList<>();
            for (String name : parts[g].split(",")) {
                String n = name.trim();
                if (n.isEmpty()) {
                    continue;
                }
                int j = features.indexOf(n);
                if (j < 0) {
                    throw new UsageException("--mi-groups: '" + n + "' is not a feature of the models " + features);
                }
                idx.add(j);
            }
            if (idx.isEmpty()) {
                throw new UsageException("--mi-groups: group " + (g + 1) + " is empty");
            }
            groups[g] = idx.stream().mapToInt(Integer::intValue).toArray();
        }
        for (int j : groups[0]) {
            for (int k : groups[1]) {
                if (j == k) {
                    throw new UsageException("--mi-groups: '" + features.get(j) + "' is in both groups");
                }
            }
        }
        return groups;
    }
}
