package io.sufstat.jobs.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One declared command-line option, {@code --name VALUE} (or a flag without a value), with its type: how its
 * text becomes a value, what the value must satisfy, its default and help. The same names are the keys of
 * a {@code --config} properties file. Jobs declare options as constants and read them with
 * {@link Options#get(Opt)}; every given value and every default is parsed and checked when the command line
 * is, before any work starts, and a bad one is a {@link UsageException} that names the option.
 *
 * <pre>{@code
 * static final Opt<Double> TOL = Opt.number("tol", "T", "Stop when …").defaultsTo("1e-3").check(t -> t >= 0, "non-negative");
 * double tol = options.get(TOL);
 * }</pre>
 */
public final class Opt<T> {

    /** Whether the option takes a value, is a flag, or takes a value and may be repeated. */
    enum Arity { VALUE, FLAG, REPEATABLE }

    private final String name;
    private final String metavar;
    private final String help;
    private final String defaultText;
    private final boolean required;
    private final Arity arity;
    private final boolean path;
    private final Function<String, T> parser;

    private Opt(String name, String metavar, String help, String defaultText, boolean required, Arity arity,
                boolean path, Function<String, T> parser) {
        if (!name.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("bad option name " + name);
        }
        this.name = name;
        this.metavar = metavar;
        this.help = help;
        this.defaultText = defaultText;
        this.required = required;
        this.arity = arity;
        this.path = path;
        this.parser = parser;
    }

    /**
     * An option whose value {@code parser} makes from its text. The parser throws a {@link UsageException}
     * with its own message, or an {@link IllegalArgumentException} whose message follows {@code --name: }.
     */
    public static <T> Opt<T> of(String name, String metavar, String help, Function<String, T> parser) {
        return new Opt<>(name, metavar, help, null, false, Arity.VALUE, false, parser);
    }

    /** Free text (a path, a column name, a URL). */
    public static Opt<String> text(String name, String metavar, String help) {
        return of(name, metavar, help, Function.identity());
    }

    /** A present-or-absent flag; false when absent. */
    public static Opt<Boolean> flag(String name, String help) {
        return new Opt<>(name, null, help, null, false, Arity.FLAG, false, "true"::equals);
    }

    /** An option that may be given several times ({@code --conf A=1 --conf B=2}): every value, in order. */
    public static Opt<List<String>> repeatable(String name, String metavar, String help) {
        return new Opt<>(name, metavar, help, null, false, Arity.REPEATABLE, false, List::of);
    }

    /** A whole number; {@code 10k}, {@code 10m}, {@code 1g} and underscores are allowed ({@code 10m} = 10,000,000). */
    public static Opt<Long> whole(String name, String metavar, String help) {
        return of(name, metavar, help, v -> {
            try {
                return parseCount(v);
            } catch (NumberFormatException | ArithmeticException e) {
                throw new UsageException("--" + name + " expects a whole number, got '" + v + "'");
            }
        });
    }

    /** A whole number that fits an {@code int}. */
    public static Opt<Integer> integer(String name, String metavar, String help) {
        Opt<Long> whole = whole(name, metavar, help);
        return of(name, metavar, help, v -> {
            long n = whole.parser.apply(v);
            if (n > Integer.MAX_VALUE || n < Integer.MIN_VALUE) {
                throw new UsageException("--" + name + " is out of range: " + v);
            }
            return (int) n;
        });
    }

    /** A finite decimal number. */
    public static Opt<Double> number(String name, String metavar, String help) {
        return of(name, metavar, help, v -> {
            try {
                double d = Double.parseDouble(v.trim());
                if (Double.isFinite(d)) {
                    return d;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new UsageException("--" + name + " expects a finite number, got '" + v + "'");
        });
    }

    /** {@code true} or {@code false}. */
    public static Opt<Boolean> bool(String name, String help) {
        Opt<String> c = choice(name, help, "true", "false");
        return of(name, "true|false", help, v -> c.parser.apply(v).equals("true"));
    }

    /** One of {@code choices}, case-insensitive, as its lower-case spelling. */
    public static Opt<String> choice(String name, String help, String... choices) {
        List<String> valid = List.of(choices);
        return of(name, String.join("|", choices), help, v -> {
            String c = v.trim().toLowerCase(Locale.ROOT);
            if (!valid.contains(c)) {
                throw new UsageException("--" + name + " must be one of " + String.join(", ", choices) + ", not '"
                        + v + "'");
            }
            return c;
        });
    }

    /** A comma-separated list of non-empty items. */
    public static Opt<List<String>> list(String name, String metavar, String help) {
        return of(name, metavar, help, v -> {
            if (v.isBlank()) {
                return List.of();
            }
            List<String> out = new ArrayList<>();
            for (String s : v.split(",")) {
                String t = s.trim();
                if (t.isEmpty()) {
                    throw new UsageException("--" + name + " has an empty item: '" + v + "'");
                }
                out.add(t);
            }
            return Collections.unmodifiableList(out);
        });
    }

    /** This option with a default, given as the text a user would type (and {@code --help} shows). */
    public Opt<T> defaultsTo(String text) {
        return new Opt<>(name, metavar, help, text, required, arity, path, parser);
    }

    /** This option, which must be given (on the command line or in the configuration file). */
    public Opt<T> required() {
        return new Opt<>(name, metavar, help, defaultText, true, arity, path, parser);
    }

    /**
     * This option, naming a path that outputs must stay apart from (an input, a model, a checkpoint): an output
     * equal to, inside or around it is refused.
     */
    public Opt<T> protectsPath() {
        return new Opt<>(name, metavar, help, defaultText, required, arity, true, parser);
    }

    /** This option, whose value must satisfy {@code ok}: else {@code --name must be REQUIREMENT, not 'TEXT'}. */
    public Opt<T> check(Predicate<? super T> ok, String requirement) {
        Function<String, T> inner = parser;
        return new Opt<>(name, metavar, help, defaultText, required, arity, path, v -> {
            T value = inner.apply(v);
            if (!ok.test(value)) {
                throw new UsageException("--" + name + " must be " + requirement + ", not '" + v + "'");
            }
            return value;
        });
    }

    /** The value of {@code text}, or the usage error that names this option. */
    T parse(String text) {
        try {
            return parser.apply(text);
        } catch (UsageException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + name + ": " + e.getMessage());
        }
    }

    public String name() {
        return name;
    }

    /** What the value looks like in the usage ({@code PATH}, {@code K}); none for a flag. */
    public Optional<String> metavar() {
        return Optional.ofNullable(metavar);
    }

    public String help() {
        return help;
    }

    /** The default's text, as {@code --help} shows it. */
    public Optional<String> defaultText() {
        return Optional.ofNullable(defaultText);
    }

    public boolean isRequired() {
        return required;
    }

    public boolean isFlag() {
        return arity == Arity.FLAG;
    }

    public boolean isRepeatable() {
        return arity == Arity.REPEATABLE;
    }

    /** Whether the value names a path that outputs must stay apart from. */
    public boolean isProtectedPath() {
        return path;
    }

    @Override
    public String toString() {
        return "--" + name;
    }

    /** Whole numbers with an optional k/m/g suffix or underscores: 10m = 10,000,000. */
    static long parseCount(String v) {
        String s = v.trim().replace("_", "").toLowerCase(Locale.ROOT);
        long mult = 1;
        if (s.endsWith("k")) {
            mult = 1_000;
        } else if (s.endsWith("m")) {
            mult = 1_000_000;
        } else if (s.endsWith("g") || s.endsWith("b")) {
            mult = 1_000_000_000;
        }
        if (mult != 1) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.contains("e") || s.contains(".")) {
            double d = Double.parseDouble(s) * mult;
            if (d != Math.rint(d) || Math.abs(d) > 9e18) {
                throw new NumberFormatException(v);
            }
            return (long) d;
        }
        return Math.multiplyExact(Long.parseLong(s), mult);
    }
}
