package io.sufstat.jobs.sample;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sufstat.jobs.core.Job;
import io.sufstat.jobs.core.JobContext;
import io.sufstat.jobs.cli.Opt;
import io.sufstat.jobs.io.ModelInput;
import io.sufstat.jobs.cli.Options;
import io.sufstat.jobs.cli.UsageException;
import io.sufstat.jobs.generate.GenerateJob;
import io.sufstat.jobs.generate.SyntheticMixture;
import io.sufstat.jobs.io.AtomicOutput;
import io.sufstat.jobs.io.HadoopFiles;
import io.sufstat.jobs.io.Json;
import io.sufstat.jobs.io.ModelJson;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code sufstat sample}: new rows drawn from a fitted model (generation), in parallel. Rows come in
 * chunks of {@value SyntheticMixture#CHUNK_ROWS}, each from its own stream seeded by the seed and the
 * chunk's index, so the output is the same for a seed whatever the number of partitions.
 */
public final class SampleJob implements Job {

    private static final Logger LOG = LoggerFactory.getLogger(SampleJob.class);

    /** This job's main class, for spark-submit. */
    public static final String CLASS = "io.sufstat.jobs.sample.SampleJob";

    /** {@code spark-submit --class {@value #CLASS} sufstat-jobs.jar [options]}: the same options as the launcher. */
    public static void main(String[] args) {
        io.sufstat.jobs.core.Runner.main(new SampleJob(), args);
    }

    @Override
    public String name() {
        return "sample";
    }

    @Override
    public String summary() {
        return "New rows drawn from a fitted model (seeded, distributed, partition-independent).";
    }

    @Override
    public String synopsis() {
        return "--model DIR|model.json --output DIR --rows N [--seed S] [--label] [options]";
    }

    @Override
    public String description() {
        return "Draws N rows from the model (a Gaussian, or a mixture: a component by its weight, then a row"
                + " from it), with columns named after the model's features. The same seed gives the same rows"
                + " whatever --partitions is. --label adds the component each row was drawn from. Output is atomic"
                + " with _SUCCESS.";
    }

    static final Opt<String> LABEL_COL = Opt.text("label-col", "COL", "Name of the component column added by --label.")
            .defaultsTo("component");
    static final Opt<Boolean> LABEL = Opt.flag("label", "Add an integer column with the component (0-based) each row"
            + " came from.");

    @Override
    public List<Opt<?>> options() {
        return List.of(ModelInput.MODEL, AtomicOutput.OUTPUT, GenerateJob.ROWS, GenerateJob.SEED, GenerateJob.PARTITIONS,
                GenerateJob.FORMAT, LABEL_COL, LABEL, AtomicOutput.OVERWRITE);
    }

    @Override
    public void run(Options o, JobContext ctx) throws Exception {
        long rows = o.get(GenerateJob.ROWS);
        long seed = o.get(GenerateJob.SEED);
        String format = o.get(GenerateJob.FORMAT);
        boolean label = o.get(LABEL);
        String labelCol = o.get(LABEL_COL);
        ModelJson.Loaded model = ModelJson.load(o.get(ModelInput.MODEL), ctx.hadoopConf());
        if (label && model.features().contains(labelCol)) {
            throw new UsageException("--label-col '" + labelCol + "' is also a feature name; choose another");
        }
        AtomicOutput out = AtomicOutput.prepare(o, ctx.hadoopConf());
        try {
            JavaSparkContext jsc = ctx.sparkContext();
            int partitions = GenerateJob.partitions(o, rows, jsc);
            SyntheticMixture source = model.model() instanceof io.sufstat.common.model.TMixture t
                    ? SyntheticMixture.of(t, seed) : SyntheticMixture.of(model.mixture(), seed);
            List<StructField> fields = new ArrayList<>();
            for (String f : model.features()) {
                fields.add(DataTypes.createStructField(f, DataTypes.DoubleType, false));
            }
            if (label) {
                fields.add(DataTypes.createStructField(labelCol, DataTypes.IntegerType, false));
            }
            StructType schema = DataTypes.createStructType(fields);
            long t = System.nanoTime();
            Dataset<Row> df = io.sufstat.jobs.spark.InternalFrames.of(ctx.spark(),
                    GenerateJob.rows(jsc, source, rows, partitions, label), schema);
            LOG.info("sampling {} rows of [{}] from a model of {} component(s), seed {}, {} partitions", rows,
                    String.join(", ", model.features()), model.mixture().size(), seed, partitions);
            df.write().format(format).option("header", "true").save(out.root());
            ObjectNode metrics = Json.object();
            metrics.put("job", name());
            metrics.put("model", HadoopFiles.redact(o.get(ModelInput.MODEL)));
            metrics.put("rows", rows);
            metrics.put("seed", seed);
            metrics.put("partitions", partitions);
            metrics.put("seconds", (System.nanoTime() - t) / 1e9);
            out.writeText("_metrics.json", Json.write(metrics));
            out.commit();
            LOG.info("wrote {}", out.shown());
        } finally {
            out.abort();
        }
    }
}
