package io.sufstat.jobs;

import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.Gaussian;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.jobs.io.Json;
import io.sufstat.jobs.io.ModelJson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes models and small CSV inputs for the tests of the jobs that apply models. */
public final class ModelFiles {

    private ModelFiles() {
    }

    public static Path write(Path file, List<String> features, GaussianMixture m) {
        try {
            Files.writeString(file, Json.write(ModelJson.mixture(features, m)));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static GaussianMixture single(double[] mean, double[] cov) {
        return GaussianMixture.of(CovarianceType.FULL, new double[] {1}, new double[][] {mean}, new double[][] {cov});
    }

    public static Gaussian gaussian(double[] mean, double[] cov) {
        return Gaussian.of(mean, cov);
    }

    /** A CSV with a header; null cells are written empty. */
    public static Path csv(Path file, List<String> header, Object[][] rows) {
        StringBuilder b = new StringBuilder(String.join(",", header)).append('\n');
        for (Object[] r : rows) {
            for (int j = 0; j < r.length; j++) {
                if (j > 0) {
                    b.append(',');
                }
                if (r[j] != null) {
                    b.append(r[j] instanceof Double dv ? Double.toString(dv) : r[j].toString());
                }
            }
            b.append('\n');
        }
        try {
            Files.writeString(file, b.toString());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
