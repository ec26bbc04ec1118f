package io.sufstat.jobs.io;

import java.nio.charset.StandardCharsets;

/**
 * Parses a decimal number from UTF-8 bytes without allocating, correctly rounded: numbers with at most
 * 15 significant digits and a decimal exponent within ±22 take Clinger's fast path (one exact IEEE
 * multiplication or division); anything longer goes to {@link Double#parseDouble}. Accepts
 * {@code NaN}, {@code Infinity}, {@code inf} with optional sign (as non-finite values, which callers
 * reject); rejects everything else, including Java's {@code d}/{@code f} suffixes and hexadecimal.
 */
final class DecimalParser {

    private static final double[] POW10 = new double[23];

    static {
        double p = 1;
        for (int i = 0; i < POW10.length; i++) {
            POW10[i] = p;
            p *= 10;
        }
    }

    /** Set by {@link #parse}: false when the bytes are not a number. */
    boolean ok;

    double parse(byte[] b, int start, int end) {
        ok = true;
        while (start < end && (b[start] == ' ' || b[start] == '\t')) {
            start++;
        }
        while (end > start && (b[end - 1] == ' ' || b[end - 1] == '\t')) {
            end--;
        }
        if (start == end) {
            ok = false;
            return Double.NaN;
        }
        int i = start;
        boolean negative = false;
        if (b[i] == '-' || b[i] == '+') {
            negative = b[i] == '-';
            i++;
        }
        long mantissa = 0;
        int significant = 0;
        int exponent = 0;
        boolean digits = false;
        while (i < end && b[i] >= '0' && b[i] <= '9') {
            digits = true;
            if (mantissa == 0 && b[i] == '0') {
                i++;
                continue;
            }
            if (significant < 18) {
                mantissa = mantissa * 10 + (b[i] - '0');
            } else {
                exponent++;
            }
            significant++;
            i++;
        }
        if (i < end && b[i] == '.') {
            i++;
            while (i < end && b[i] >= '0' && b[i] <= '9') {
                digits = true;
                if (mantissa == 0 && b[i] == '0') {
                    exponent--;
                    i++;
                    continue;
                }
                if (significant < 18) {
                    mantissa = mantissa * 10 + (b[i] - '0');
                    exponent--;
                }
                significant++;
                i++;
            }
        }
        if (!digits) {
            return special(b, start, end);
        }
        if (i < end && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            boolean expNegative = false;
            if (i < end && (b[i] == '-' || b[i] == '+')) {
                expNegative = b[i] == '-';
                i++;
            }
            int e = 0;
            boolean expDigits = false;
            while (i < end && b[i] >= '0' && b[i] <= '9') {
                expDigits = true;
                if (e < 100_000) {
                    e = e * 10 + (b[i] - '0');
                }
                i++;
            }
            if (!expDigits) {
                ok = false;
                return Double.NaN;
            }
            exponent += expNegative ? -e : e;
        }
        if (i != end) {
            ok = false;
            return Double.NaN;
        }
        if (mantissa == 0) {
            return negative ? -0.0 : 0.0;
        }
        if (significant <= 15 && exponent >= -22 && exponent <= 22) {
            double m = mantissa;
            double v = exponent >= 0 ? m * POW10[exponent] : m / POW10[-exponent];
            return negative ? -v : v;
        }
        return Double.parseDouble(new String(b, start, end - start, StandardCharsets.ISO_8859_1));
    }

    private double special(byte[] b, int start, int end) {
        String s = new String(b, start, end - start, StandardCharsets.ISO_8859_1);
        switch (s) {
            case "NaN", "nan", "-NaN", "+NaN":
                return Double.NaN;
            case "Infinity", "+Infinity", "inf", "+inf", "Inf", "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Infinity", "-inf", "-Inf":
                return Double.NEGATIVE_INFINITY;
            default:
                ok = false;
                return Double.NaN;
        }
    }

    /** Parses a Java string the same way. */
    double parse(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return parse(b, 0, b.length);
    }
}
