package io.sufstat.common.model;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small reader of the reference fixtures' JSON (top-level keys holding strings, numbers and nested
 * number arrays), so that common's tests need no JSON library.
 */
public final class FixtureJson {

    private FixtureJson() {
    }

    public static String raw(String text, String key) {
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

    public static String string(String text, String key) {
        String r = raw(text, key);
        return r.substring(1, r.length() - 1);
    }

    public static double number(String text, String key) {
        return Double.parseDouble(raw(text, key));
    }

    public static Object parse(String s, int[] pos) {
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
    public static double[] toVector(Object o) {
        List<Object> l = (List<Object>) o;
        double[] v = new double[l.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (Double) l.get(i);
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    public static double[][] toMatrix(Object o) {
        List<Object> l = (List<Object>) o;
        double[][] m = new double[l.size()][];
        for (int i = 0; i < m.length; i++) {
            m[i] = toVector(l.get(i));
        }
        return m;
    }

    public static double[] vector(String text, String key) {
        return toVector(parse(raw(text, key), new int[] {0}));
    }

    public static double[][] matrix(String text, String key) {
        return toMatrix(parse(raw(text, key), new int[] {0}));
    }

    @SuppressWarnings("unchecked")
    public static double[][][] tensor(String text, String key) {
        List<Object> l = (List<Object>) parse(raw(text, key), new int[] {0});
        double[][][] t = new double[l.size()][][];
        for (int i = 0; i < t.length; i++) {
            t[i] = toMatrix(l.get(i));
        }
        return t;
    }

    public static double[][] flattenEach(double[][][] t) {
        double[][] out = new double[t.length][];
        for (int i = 0; i < t.length; i++) {
            out[i] = Gaussian.flatten(t[i], t[i].length);
        }
        return out;
    }
}
