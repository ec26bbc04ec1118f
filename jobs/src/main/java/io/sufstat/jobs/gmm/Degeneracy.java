package io.sufstat.jobs.gmm;

import io.sufstat.common.linalg.SymmetricEigen;
import io.sufstat.common.model.GaussianMixture;

import java.util.ArrayList;
import java.util.List;

/**
 * What makes a fitted mixture suspect, in words for a WARN line and metrics.json's {@code warnings}: a
 * component carrying the weight of fewer than d + 1 rows (its covariance is then determined by
 * reg-covar, not by data), a component whose covariance has an eigenvalue at the reg-covar floor
 * (at most 2·reg-covar: the data gave it no spread along some direction), and EM stopped at
 * {@code --max-iter} before converging.
 */
public final class Degeneracy {

    private Degeneracy() {
    }

    /**
     * The warnings for mixture {@code m} fitted to data of total weight {@code weightSum}. Component k's
     * effective rows are π_k·W, the N_k of the M-step that produced it.
     */
    public static List<String> of(GaussianMixture m, double weightSum, double regCovar, boolean converged, int iterations) {
        List<String> out = new ArrayList<>();
        int d = m.dimension();
        List<String> thin = new ArrayList<>();
        List<String> floor = new ArrayList<>();
        for (int j = 0; j < m.size(); j++) {
            double rows = m.weights()[j] * weightSum;
            if (rows < d + 1) {
                thin.add((j + 1) + " (" + String.format("%.3g", rows) + ")");
            }
            double[] eigen = SymmetricEigen.of(m.component(j).covariance(), d).values();
            double smallest = Double.POSITIVE_INFINITY;
            for (double v : eigen) {
                smallest = Math.min(smallest, v);
            }
            if (regCovar > 0 && smallest <= 2 * regCovar) {
                floor.add((j + 1) + " (" + String.format("%.3g", smallest) + ")");
            }
        }
        if (!thin.isEmpty()) {
            out.add(thin.size() + " of " + m.size() + " components carry the weight of fewer than d + 1 = " + (d + 1)
                    + " rows, so their covariances are not estimated from data: components " + first(thin)
                    + "; use fewer components (--k)");
        }
        if (!floor.isEmpty()) {
            out.add(floor.size() + " of " + m.size() + " components have a covariance eigenvalue at the --reg-covar floor "
                    + regCovar + " (no spread in the data along that direction): components " + first(floor)
                    + "; check for constant or duplicated features, or use fewer components");
        }
        if (!converged && iterations > 0) {
            out.add(stoppedAtMaxIter(iterations));
        }
        return out;
    }

    /** The first eight items, then an ellipsis. */
    private static String first(List<String> items) {
        return String.join(", ", items.subList(0, Math.min(8, items.size()))) + (items.size() > 8 ? ", …" : "");
    }

    /** The warning for an EM fit that stopped at {@code --max-iter} without converging. */
    public static String stoppedAtMaxIter(int iterations) {
        return "EM stopped at --max-iter " + iterations + " before converging (--tol); the model may not be at a"
                + " maximum of the likelihood: raise --max-iter";
    }
}
