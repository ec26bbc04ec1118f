package io.sufstat.common.em;

import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.stats.CovarianceEstimator;
import io.sufstat.common.stats.MomentSummary;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The row-level rules of EM initialisations, in the manner of scikit-learn's {@code init_params}, written
 * so that a distributed pass can apply them block by block and get the same result however the rows are
 * partitioned: every random choice comes from a hash of the row's values and the seed ({@link RowHash}).
 * <ul>
 * <li>Rows are chosen by priority keys: uniformly by weight with {@code −ln u / w} (Efraimidis &amp;
 * Spirakis 2006), by D² sampling with {@code −ln u / (w · D²)} (k-means++, Arthur &amp; Vassilvitskii
 * 2007); the K smallest keys win.</li>
 * <li>Means chosen from rows start with weights 1/K and the data's covariance shaped to the type plus
 * reg_covar ({@link #fromMeans}).</li>
 * <li>Responsibilities: hard assignments to the nearest centre (after k-means), or random ones drawn per
 * row; one M-step from them gives the initial mixture.</li>
 * </ul>
 */
public final class Initialisation {

    /** Salts of the row hashes of the different random choices. */
    static final long PICK = 1;
    static final long RANDOM_RESPONSIBILITIES = 3;

    private Initialisation() {
    }

    /** Weights 1/K, the given means, and the data covariance shaped to the type, plus reg on the diagonal. */
    public static GaussianMixture fromMeans(double[][] means, CovarianceType type, double reg, MomentSummary data) {
        int k = means.length;
        int d = data.dimension();
        double[] cov = data.covariance(CovarianceEstimator.MAXIMUM_LIKELIHOOD);
        double[] shaped = new double[d * d];
        double avg = 0;
        for (int c = 0; c < d; c++) {
            avg += cov[c * d + c] / d;
        }
        for (int r = 0; r < d; r++) {
            for (int c = 0; c < d; c++) {
                shaped[r * d + c] = switch (type) {
                    case FULL, TIED -> cov[r * d + c];
                    case DIAG -> r == c ? cov[r * d + c] : 0;
                    case SPHERICAL -> r == c ? avg : 0;
                };
            }
            shaped[r * d + r] += reg;
        }
        double[] w = new double[k];
        Arrays.fill(w, 1.0 / k);
        double[][] covs = new double[k][];
        Arrays.fill(covs, shaped);
        return GaussianMixture.of(type, w, means, covs);
    }

    /** The key of a uniform choice by weight (+∞ leaves the row out). */
    public static double pickKey(double[] values, int offset, int d, double weight, long seed) {
        return weight <= 0 ? Double.POSITIVE_INFINITY
                : -Math.log(RowHash.uniform(RowHash.of(values, offset, d, seed, PICK))) / weight;
    }

    /** The key of step {@code step} of D² sampling given the centres chosen so far (+∞ leaves the row out). */
    public static double kMeansPlusPlusKey(double[] values, int offset, int d, double weight, long seed, int step,
                                           double[][] centres) {
        double dist = Double.POSITIVE_INFINITY;
        for (double[] c : centres) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                double v = values[offset + j] - c[j];
                s += v * v;
            }
            dist = Math.min(dist, s);
        }
        return weight <= 0 || dist <= 0 ? Double.POSITIVE_INFINITY
                : -Math.log(RowHash.uniform(RowHash.of(values, offset, d, seed, 100 + step))) / (weight * dist);
    }

    /** Random responsibilities of {@code rows} rows (row-major rows × K), each row's from its own hash. */
    public static void randomResponsibilities(double[] values, int rows, int d, int k, long seed, double[] resp) {
        for (int i = 0; i < rows; i++) {
            SplittableRandom rng = new SplittableRandom(RowHash.of(values, i * d, d, seed, RANDOM_RESPONSIBILITIES));
            double sum = 0;
            for (int j = 0; j < k; j++) {
                resp[i * k + j] = rng.nextDouble();
                sum += resp[i * k + j];
            }
            for (int j = 0; j < k; j++) {
                resp[i * k + j] /= sum;
            }
        }
    }

    /** Hard assignments of {@code rows} rows to their nearest centre (the first on a tie). */
    public static void nearestCentre(double[] values, int rows, int d, double[][] centres, double[] resp) {
        int k = centres.length;
        Arrays.fill(resp, 0, rows * k, 0.0);
        for (int i = 0; i < rows; i++) {
            int best = 0;
            double bestD = Double.POSITIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                double s = 0;
                for (int c = 0; c < d; c++) {
                    double v = values[i * d + c] - centres[j][c];
                    s += v * v;
                }
                if (s < bestD) {
                    bestD = s;
                    best = j;
                }
            }
            resp[i * k + best] = 1;
        }
    }
}
