package io.sufstat.common.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scikit-learn reference fit (common/src/test/resources/sklearn/*.json, made by
 * common/src/test/python/make_sklearn_fixtures.py), read with a small JSON reader of nested number
 * arrays so that common's tests need no JSON library.
 */
public final class SklearnFixture {
    public final String name;
    public final CovarianceType type;
    public final int k;
    public final int maxIter;
    public final double regCovar;
    public final double[][] x;
    public final double[] initWeights;
    public final double[][] initMeans;
    public final double[][] initCovariances;
    public final double[] weights;
    public final double[][] means;
    public final double[][] covariances;
    public final double lowerBound;
    public final double score;
    public final double[] scoreSamples;
    public final double[][] predictProba;
    public final double bic;
    public final double aic;

    private SklearnFixture(String text) {
        name = string(text, "name");
        type = CovarianceType.parse(string(text, "covarianceType"));
        k = (int) number(text, "k");
        maxIter = (int) number(text, "maxIter");
        regCovar = number(text, "regCovar");
        x = matrix(text, "x");
        initWeights = vector(text, "initWeights");
        initMeans = matrix(text, "initMeans");
        initCovariances = flattenEach(tensor(text, "initCovariances"));
        weights = vector(text, "weights");
        means = matrix(text, "means");
        covariances = flattenEach(tensor(text, "covariances"));
        lowerBound = number(text, "lowerBound");
        score = number(text, "score");
        scoreSamples = vector(text, "scoreSamples");
        predictProba = matrix(text, "predictProba");
        bic = number(text, "bic");
        aic = number(text, "aic");
    }

    public static SklearnFixture load(String name) {
        try (InputStream in = SklearnFixture.class.getResourceAsStream("/sklearn/" + name + ".json")) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new SklearnFixture(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static final List<String> ALL = List.of("blobs3d-full", "blobs3d-tied", "blobs3d-diag", "blobs3d-spherical",
            "iris-full", "iris-tied", "iris-diag", "iris-spherical");

    /** The initial mixture the fixture's fit started from. */
    public GaussianMixture initial() {
        return GaussianMixture.of(type, initWeights, initMeans, initCovariances);
    }

    private static String string(String text, String key) {
        return FixtureJson.string(text, key);
    }

    private static double number(String text, String key) {
        return FixtureJson.number(text, key);
    }

    private static double[] vector(String text, String key) {
        return FixtureJson.vector(text, key);
    }

    private static double[][] matrix(String text, String key) {
        return FixtureJson.matrix(text, key);
    }

    private static double[][][] tensor(String text, String key) {
        return FixtureJson.tensor(text, key);
    }

    private static double[][] flattenEach(double[][][] t) {
        return FixtureJson.flattenEach(t);
    }
}
