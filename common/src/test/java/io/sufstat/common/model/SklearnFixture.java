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

    private static String raw(String text, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":\\s*").matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException("no key " + key);
        }
        int start = m.end();
        if (text.charAt(start) == '"') {
            return text.substring(start, text.indexOf('"', start + 1) + 1);
        }
        if (text.charAt(start) != '[') {
            int end = start;
            while (end < text.length() && ",}\n".indexOf(text.charAt(end)) < 0) {
                end++;
            }
            return text.substring(start, end).trim();
        }
        int depth = 0;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '[') {
                depth++;
            } else if (c == ']' && --depth == 0) {
                return text.substring(start, i + 1);
            }
        }
        throw new IllegalArgumentException("unterminated " + key);
    }

    private static String string(String text, String key) {
        String r = raw(text, key);
        return r.substring(1, r.length() - 1);
    }

    private static double number(String text, String key) {
        return Double.parseDouble(raw(text, key));
    }

    private static Object parse(String s, int[] pos) {
        while (Character.isWhitespace(s.charAt(pos[0]))) {
            pos[0]++;
        }
        if (s.charAt(pos[0]) == '[') {
            pos[0]++;
            List<Object> items = new ArrayList<>();
            while (true) {
                while (Character.isWhitespace(s.charAt(pos[0])) || s.charAt(pos[0]) == ',') {
                    pos[0]++;
                }
                if (s.charAt(pos[0]) == ']') {
                    pos[0]++;
                    return items;
                }
                items.add(parse(s, pos));
            }
        }
        int start = pos[0];
        while (pos[0] < s.length() && ",] \n".indexOf(s.charAt(pos[0])) < 0) {
            pos[0]++;
        }
        return Double.parseDouble(s.substring(start, pos[0]));
    }

    @SuppressWarnings("unchecked")
    private static double[] toVector(Object o) {
        List<Object> l = (List<Object>) o;
        double[] v = new double[l.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (Double) l.get(i);
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private static double[][] toMatrix(Object o) {
        List<Object> l = (List<Object>) o;
        double[][] m = new double[l.size()][];
        for (int i = 0; i < m.length; i++) {
            m[i] = toVector(l.get(i));
        }
        return m;
    }

    private static double[] vector(String text, String key) {
        return toVector(parse(raw(text, key), new int[] {0}));
    }

    private static double[][] matrix(String text, String key) {
        return toMatrix(parse(raw(text, key), new int[] {0}));
    }

    @SuppressWarnings("unchecked")
    private static double[][][] tensor(String text, String key) {
        List<Object> l = (List<Object>) parse(raw(text, key), new int[] {0});
        double[][][] t = new double[l.size()][][];
        for (int i = 0; i < t.length; i++) {
            t[i] = toMatrix(l.get(i));
        }
        return t;
    }

    private static double[][] flattenEach(double[][][] t) {
        double[][] out = new double[t.length][];
        for (int i = 0; i < t.length; i++) {
            out[i] = Gaussian.flatten(t[i], t[i].length);
        }
        return out;
    }
}
