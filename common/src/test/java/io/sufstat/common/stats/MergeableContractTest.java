package io.sufstat.common.stats;

import io.sufstat.common.model.CovarianceType;
import io.sufstat.common.model.GaussianMixture;
import io.sufstat.common.model.MixtureKernel;
import io.sufstat.common.model.Ppca;
import io.sufstat.common.model.TMixture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;


/** {@link MergeableContract} on every statistics type of sufstat-common (sufstat-jobs checks its own). */
class MergeableContractTest {

    static final int N = 240;
    static final int D = 4;

    /** One implementation on the test's rows and weights. */
    interface Subject<S extends Mergeable<S>> {
        S empty();

        S of(double[] x, double[] w, int from, int to);

        double[] observe(S s);
    }

    record Named(String name, Subject<?> subject) {
        @Override
        public String toString() {
            return name;
        }
    }

    static double[] data(long seed, int n, int d, double offset) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] x = new double[n * d];
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            for (int j = 0; j < d; j++) {
                x[i * d + j] = offset + 3 * c * (j % 2 == 0 ? 1 : -1) + (1 + 0.2 * j) * rng.nextGaussian();
            }
        }
        return x;
    }

    static double[] slice(double[] a, int from, int to, int width) {
        return a == null ? null : Arrays.copyOfRange(a, from * width, to * width);
    }

    static double[] concat(double[]... parts) {
        return MergeableContract.concat(parts);
    }

    static GaussianMixture mixture(CovarianceType type) {
        double[][] means = {{0, 0, 0, 0}, {3, -3, 3, -3}, {6, -6, 6, -6}};
        double[][] covs = new double[3][];
        for (int j = 0; j < 3; j++) {
            double[] c = new double[D * D];
            for (int r = 0; r < D; r++) {
                c[r * D + r] = type == CovarianceType.SPHERICAL ? 1.5 : 1 + 0.3 * r + (type == CovarianceType.TIED ? 0 : 0.1 * j);
                if (type == CovarianceType.FULL || type == CovarianceType.TIED) {
                    for (int s = 0; s < r; s++) {
                        c[r * D + s] = c[s * D + r] = 0.2;
                    }
                }
            }
            covs[j] = c;
        }
        return GaussianMixture.of(type, new double[] {0.3, 0.3, 0.4}, means, covs);
    }

    static Stream<Named> subjects() {
        List<Named> out = new ArrayList<>();
        out.add(new Named("MomentSummary (offset 1e9)", new Subject<MomentSummary>() {
            public MomentSummary empty() {
                return MomentSummary.create(D);
            }

            public MomentSummary of(double[] x, double[] w, int from, int to) {
                return MomentSummary.create(D).addBlock(slice(x, from, to, D), slice(w, from, to, 1), to - from);
            }

            public double[] observe(MomentSummary s) {
                return concat(new double[] {s.count(), s.weightSum(), s.weightSquareSum()}, s.mean(), s.comoment());
            }
        }));
        out.add(new Named("MeanSummary (offset 1e9)", new Subject<MeanSummary>() {
            public MeanSummary empty() {
                return MeanSummary.create(D);
            }

            public MeanSummary of(double[] x, double[] w, int from, int to) {
                return MeanSummary.create(D).addBlock(slice(x, from, to, D), slice(w, from, to, 1), to - from);
            }

            public double[] observe(MeanSummary s) {
                return concat(new double[] {s.count(), s.weightSum()}, s.mean());
            }
        }));
        io.sufstat.common.em.Lloyd lloyd = io.sufstat.common.em.Lloyd.from(new double[][] {{0, 0, 0, 0}, {3, -3, 3, -3},
            {6, -6, 6, -6}, {40, 40, 40, 40}});
        out.add(new Named("ClusterSums", new Subject<ClusterSums>() {
            public ClusterSums empty() {
                return lloyd.zero();
            }

            public ClusterSums of(double[] x, double[] w, int from, int to) {
                ClusterSums s = lloyd.zero();
                lloyd.accumulate(s, lloyd.workspace(to - from), slice(x, from, to, D), slice(w, from, to, 1), to - from);
                return s;
            }

            public double[] observe(ClusterSums s) {
                List<double[]> parts = new ArrayList<>(List.of(new double[] {s.count(), s.inertia()}));
                double[][] next = lloyd.next(s);
                for (int j = 0; j < s.clusters(); j++) {
                    parts.add(new double[] {s.weight(j)});
                    parts.add(next[j]);
                }
                return concat(parts.toArray(new double[0][]));
            }
        }));
        for (CovarianceType type : CovarianceType.values()) {
            MixtureKernel kernel = MixtureKernel.of(mixture(type));
            out.add(new Named("EmStatistics " + type.label(), new Subject<EmStatistics>() {
                public EmStatistics empty() {
                    return EmStatistics.create(kernel);
                }

                public EmStatistics of(double[] x, double[] w, int from, int to) {
                    return EmStatistics.create(kernel).accumulate(kernel, kernel.workspace(to - from), slice(x, from, to, D),
                            slice(w, from, to, 1), to - from, true);
                }

                public double[] observe(EmStatistics s) {
                    GaussianMixture m = s.mStep(kernel, 1e-6);
                    List<double[]> parts = new ArrayList<>(List.of(new double[] {s.count(), s.weightSum(), s.logLikelihood()},
                            m.weights()));
                    for (int j = 0; j < m.size(); j++) {
                        parts.add(m.component(j).mean());
                        parts.add(m.component(j).covariance());
                    }
                    return concat(parts.toArray(new double[0][]));
                }
            }));
        }
        TMixture tm = TMixture.of(mixture(CovarianceType.FULL), new double[] {3, 8, 30});
        io.sufstat.common.em.TMixtureEm tem = io.sufstat.common.em.TMixtureEm.of(1e-6,
                io.sufstat.common.em.TMixtureEm.DofMode.PER_COMPONENT, 0.5, 200);
        io.sufstat.common.em.TMixtureEm.Step tstep = tem.eStep(tm, true);
        out.add(new Named("TmmStatistics", new Subject<TmmStatistics>() {
            public TmmStatistics empty() {
                return tstep.zero();
            }

            public TmmStatistics of(double[] x, double[] w, int from, int to) {
                TmmStatistics s = tstep.zero();
                tstep.accumulate(s, tstep.workspace(Math.max(1, to - from)), slice(x, from, to, D), slice(w, from, to, 1),
                        to - from);
                return s;
            }

            public double[] observe(TmmStatistics s) {
                TMixture next = tem.update(tm, s);
                List<double[]> parts = new ArrayList<>(List.of(new double[] {s.count(), s.weightSum(), s.logLikelihood()},
                        next.scales().weights(), next.degreesOfFreedom(), s.posteriorWeights(), s.logWeightTerms()));
                for (int j = 0; j < next.size(); j++) {
                    parts.add(next.scales().component(j).mean());
                    parts.add(next.scales().component(j).covariance());
                }
                return concat(parts.toArray(new double[0][]));
            }
        }));
        double[] ones = new double[N];
        java.util.Arrays.fill(ones, 1.0);
        io.sufstat.common.em.BayesianMixtureEm bem = io.sufstat.common.em.BayesianMixtureEm.of(CovarianceType.FULL, 3, 1e-6,
                io.sufstat.common.em.BayesianMixtureEm.defaultPriors(true, 3, MomentSummary.create(D).addBlock(
                        data(7, N, D, 0), ones, N), CovarianceType.FULL));
        io.sufstat.common.model.VariationalMixture vm = bem.initialise(mixture(CovarianceType.FULL), data(7, N, D, 0), null, N);
        io.sufstat.common.em.BayesianMixtureEm.Step bstep = bem.eStep(vm, true);
        out.add(new Named("BgmmStatistics", new Subject<BgmmStatistics>() {
            public BgmmStatistics empty() {
                return bstep.zero();
            }

            public BgmmStatistics of(double[] x, double[] w, int from, int to) {
                BgmmStatistics s = bstep.zero();
                bstep.accumulate(s, bstep.workspace(Math.max(1, to - from)), slice(x, from, to, D), slice(w, from, to, 1),
                        to - from);
                return s;
            }

            public double[] observe(BgmmStatistics s) {
                io.sufstat.common.model.VariationalMixture next = bem.update(vm, s);
                List<double[]> parts = new ArrayList<>(List.of(new double[] {s.count(), s.weightSum(),
                    s.responsibilityLogSum(), bem.lowerBound(next, s)}, next.pointEstimate().weights()));
                for (int j = 0; j < next.size(); j++) {
                    parts.add(next.mean(j));
                    parts.add(next.covariance(j));
                    parts.add(next.concentration(j));
                }
                return concat(parts.toArray(new double[0][]));
            }
        }));
        Ppca ppca = Ppca.of(new double[] {3, -3, 3, -3}, new double[] {1, 0.5, 0.2, 1, -0.5, 0.3, 0.1, 0.9}, 2, 1.0);
        PpcaStatistics.Step step = new PpcaStatistics.Step(ppca);
        out.add(new Named("PpcaStatistics", new Subject<PpcaStatistics>() {
            public PpcaStatistics empty() {
                return PpcaStatistics.create(D, 2);
            }

            public PpcaStatistics of(double[] x, double[] w, int from, int to) {
                return PpcaStatistics.create(D, 2).accumulate(step, slice(x, from, to, D), slice(w, from, to, 1), to - from,
                        step.workspace());
            }

            public double[] observe(PpcaStatistics s) {
                Ppca next = s.mStep(ppca);
                return concat(new double[] {s.count(), s.weightSum(), s.logLikelihood(ppca), next.noiseVariance()},
                        next.loadings());
            }
        }));
        Ppca[] components = {ppca, Ppca.of(new double[] {0, 0, 0, 0}, new double[] {1, 0, 0, 1, 0, 0, 0.5, 0.5}, 2, 2.0)};
        double[] pis = {0.6, 0.4};
        MppcaStatistics.Step mstep = new MppcaStatistics.Step(pis, components);
        out.add(new Named("MppcaStatistics", new Subject<MppcaStatistics>() {
            public MppcaStatistics empty() {
                return MppcaStatistics.create(2, D, 2);
            }

            public MppcaStatistics of(double[] x, double[] w, int from, int to) {
                return MppcaStatistics.create(2, D, 2).accumulate(mstep, slice(x, from, to, D), to - from, mstep.workspace());
            }

            public double[] observe(MppcaStatistics s) {
                double[] weights = pis.clone();
                Ppca[] next = s.mStep(components, weights);
                return concat(new double[] {s.count(), s.logLikelihood(), next[0].noiseVariance(), next[1].noiseVariance()},
                        weights, next[0].loadings(), next[1].loadings(), s.componentWeights());
            }
        }));
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    <S extends Mergeable<S>> void anyCuttingAndMergeOrderGivesTheWhole(Named named) {
        @SuppressWarnings("unchecked")
        Subject<S> subject = (Subject<S>) named.subject();
        double offset = named.name().contains("1e9") ? 1e9 : 0;
        double[] x = data(7, N, D, offset);
        double[] w = new double[N];
        SplittableRandom wr = new SplittableRandom(11);
        for (int i = 0; i < N; i++) {
            w[i] = named.name().startsWith("Mppca") ? 1.0 : 0.5 + wr.nextDouble();
        }
        MergeableContract.check(named.name(), new MergeableContract.Subject<S>() {
            public S empty() {
                return subject.empty();
            }

            public S of(int from, int to) {
                return subject.of(x, w, from, to);
            }

            public double[] observe(S s) {
                return subject.observe(s);
            }
        }, N);
    }
}
