package io.sufstat.common.model;

import java.io.Serializable;

/**
 * A mixture prepared for evaluating blocks of rows: the log-density of each row and the posterior of each
 * component, into a {@link MixtureKernel.Workspace}. {@link MixtureKernel} for Gaussian mixtures,
 * {@link TMixtureKernel} for Student-t mixtures (which also gives each row's expected latent weight).
 */
public interface BlockDensity extends Serializable {

    int dimension();

    int components();

    /** Work arrays for blocks of up to {@code rows} rows. */
    MixtureKernel.Workspace workspace(int rows);

    /**
     * Fills {@code ws.logDensities()} and {@code ws.responsibilities()} for {@code rows} rows; returns
     * {@code Σ wᵢ log p(xᵢ)} ({@code weights} null for unit weights).
     */
    double posteriors(double[] values, double[] weights, int rows, MixtureKernel.Workspace ws);
}
