/**
 * The math of sufstat, with no Spark dependency: mergeable sufficient statistics
 * ({@link io.sufstat.common.stats}), the models solved from them in closed form
 * ({@link io.sufstat.common.model}) and the dense kernels they use ({@link io.sufstat.common.linalg}).
 *
 * <p>Matrices are dense {@code double[]} in row-major order with their dimension passed beside them.
 */
package io.sufstat.common;
