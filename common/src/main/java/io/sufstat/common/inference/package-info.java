/**
 * What a fitted model is used for: conditionals for imputation, divergences, entropies and mutual
 * information (closed forms for Gaussians, seeded Monte Carlo with standard errors for mixtures).
 */
package io.sufstat.common.inference;
