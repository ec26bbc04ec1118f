package io.sufstat.jobs.cli;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Parsed options of one job: {@code --name value}, {@code --name=value} and flags, from the command line
 * and, when {@code --config PATH} is given, from a properties file whose keys are the option names
 * (command-line values win). Unknown options or keys, missing values and malformed numbers are
 * {@link UsageException}s that name the option and list the valid ones.
 */
public final class Options {

    /** Options every job takes. */
    public static final List<OptionSpec> COMMON = List.of(
            OptionSpec.value("config", "PATH", "Properties file (local or Hadoop path) whose keys are these option"
                    + " names without '--'; command-line options override it.", null),
            OptionSpec.value("master", "URL", "Spark master when not launched by spark-submit (default local[*]).", null),
            OptionSpec.value("spark-conf", "K=V[,K=V…]", "Extra Spark settings for a session this job creates. A comma"
                    + " starts a new pair only where a key= follows, so values may hold commas"
                    + " (spark.jars=a.jar,b.jar); --conf sets one pair with any value.", null),
            OptionSpec.repeatable("conf", "K=V", "One extra Spark setting, as spark-submit's --conf; repeatable."),
            OptionSpec.flag("quiet", "Log warnings and errors only."),
            OptionSpec.flag("verbose", "Log debug output of sufstat and Spark's INFO lines."),
            OptionSpec.flag("help", "Print this help and exit."));

    private final String job;
    private final Map<String, OptionSpec> specs;
    private final Map<String, String> values;
    private final Map<String, List<String>> repeated;

    private Options(String job, Map<String, OptionSpec> specs, Map<String, String> values,
                    Map<String, List<String>> repeated) {
        this.job = job;
        this.specs = specs;
        this.values = values;
        this.repeated = repeated;
    }

    /**
     * Parses {@code args} against {@code jobSpecs} plus {@link #COMMON}. {@code configReader} reads the
     * text of a {@code --config} path (called only when one is given).
     */
    public static Options parse(String job, List<OptionSpec> jobSpecs, String[] args,
                                Function<String, String> configReader) {
        Map<String, OptionSpec> specs = new LinkedHashMap<>();
        for (OptionSpec s : jobSpecs) {
            specs.put(s.name(), s);
        }
        for (OptionSpec s : COMMON) {
            specs.putIfAbsent(s.name(), s);
        }
        Map<String, String> cli = new LinkedHashMap<>();
        Map<String, List<String>> repeated = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() == 2) {
                throw new UsageException("unexpected argument '" + a + "': options start with '--'");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            OptionSpec spec = specs.get(name);
            if (spec == null) {
                throw new UsageException("unknown option --" + name + suggestion(name, specs.keySet()));
            }
            if (spec.isFlag()) {
                if (value != null) {
                    throw new UsageException("--" + name + " is a flag and takes no value");
                }
                value = "true";
            } else if (value == null) {
                if (i + 1 >= args.length || (args[i + 1].startsWith("--") && args[i + 1].length() > 2)) {
                    throw new UsageException("--" + name + " needs a value (" + spec.metavar() + ")");
                }
                value = args[++i];
            }
            if (spec.repeatable()) {
                repeated.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
                continue;
            }
            if (cli.containsKey(name)) {
                throw new UsageException("--" + name + " is given twice");
            }
            cli.put(name, value);
        }
        Map<String, String> merged = new LinkedHashMap<>();
        if (cli.containsKey("config") && !cli.containsKey("help")) {
            String path = cli.get("config");
            merged.putAll(parseConfig(path, configReader.apply(path), specs));
        }
        merged.putAll(cli);
        Options o = new Options(job, specs, merged, repeated);
        if (!o.flag("help")) {
            for (OptionSpec s : specs.values()) {
                if (s.required() && !merged.containsKey(s.name())) {
                    throw new UsageException("--" + s.name() + " is required");
                }
            }
        }
        return o;
    }

    private static Map<String, String> parseConfig(String path, String text, Map<String, OptionSpec> specs) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw new UsageException("cannot parse configuration " + path + ": " + e.getMessage());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : new TreeSet<>(p.stringPropertyNames())) {
            OptionSpec spec = specs.get(key);
            if (spec == null || key.equals("config") || key.equals("help")) {
                List<String> valid = new ArrayList<>(specs.keySet());
                valid.removeAll(List.of("config", "help"));
                throw new UsageException("unknown key '" + key + "' in configuration " + path
                        + suggestion(key, specs.keySet()) + "; valid keys: " + String.join(", ", valid));
            }
            String v = p.getProperty(key).trim();
            if (spec.repeatable()) {
                throw new UsageException("key '" + key + "' in " + path + " can only be given on the command line;"
                        + " use spark-conf = K=V,K=V in a configuration file");
            }
            if (spec.isFlag()) {
                if (!v.equals("true") && !v.equals("false")) {
                    throw new UsageException("key '" + key + "' in " + path + " is a flag: true or false, not '" + v + "'");
                }
                if (v.equals("false")) {
                    continue;
                }
            }
            out.put(key, v);
        }
        return out;
    }

    private static String suggestion(String name, java.util.Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int dist = editDistance(name, k);
            if (dist < bestDistance) {
                bestDistance = dist;
                best = k;
            }
        }
        return best != null && bestDistance <= 2 ? " (did you mean --" + best + "?)" : "";
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    public String job() {
        return job;
    }

    private OptionSpec spec(String name) {
        OptionSpec s = specs.get(name);
        if (s == null) {
            throw new IllegalArgumentException("option --" + name + " is not declared by " + job);
        }
        return s;
    }

    /** The value given or the default; empty when neither. */
    public Optional<String> get(String name) {
        OptionSpec s = spec(name);
        String v = values.get(name);
        return Optional.ofNullable(v != null ? v : s.defaultValue());
    }

    /** The value given or the default. */
    public String require(String name) {
        return get(name).orElseThrow(() -> new UsageException("--" + name + " is required"));
    }

    /** True when this job has an option of that name. */
    public boolean declares(String name) {
        return specs.containsKey(name);
    }

    /** True when the option was given (on the command line or in the configuration). */
    public boolean given(String name) {
        spec(name);
        return values.containsKey(name);
    }

    public boolean flag(String name) {
        return "true".equals(values.get(name)) || (!values.containsKey(name) && "true".equals(spec(name).defaultValue()));
    }

    public long getLong(String name) {
        String v = require(name);
        try {
            return parseCount(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " expects a whole number, got '" + v + "'");
        }
    }

    public int getInt(String name) {
        long v = getLong(name);
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw new UsageException("--" + name + " is out of range: " + v);
        }
        return (int) v;
    }

    public double getDouble(String name) {
        String v = require(name);
        try {
            double d = Double.parseDouble(v);
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " expects a finite number, got '" + v + "'");
        }
    }

    /** A comma-separated list (empty when the option is absent). */
    public List<String> getList(String name) {
        Optional<String> v = get(name);
        if (v.isEmpty() || v.get().isBlank()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String s : v.get().split(",")) {
            String t = s.trim();
            if (t.isEmpty()) {
                throw new UsageException("--" + name + " has an empty item: '" + v.get() + "'");
            }
            out.add(t);
        }
        return Collections.unmodifiableList(out);
    }

    /** Every value of a repeatable option, in the order given (empty when absent). */
    public List<String> getAll(String name) {
        spec(name);
        return List.copyOf(repeated.getOrDefault(name, List.of()));
    }

    /**
     * Spark settings from {@code --spark-conf} and every {@code --conf}, in that order (a later one wins).
     * In {@code --spark-conf} a comma separates pairs only where another {@code key=} follows it, so that
     * {@code spark.jars=a.jar,b.jar} is one setting.
     */
    public Map<String, String> sparkSettings() {
        List<String> pairs = new ArrayList<>();
        get("spark-conf").filter(v -> !v.isBlank())
                .ifPresent(v -> pairs.addAll(Arrays.asList(v.split(",(?=\\s*[A-Za-z][A-Za-z0-9_.\\-]*\\s*=)"))));
        pairs.addAll(getAll("conf"));
        Map<String, String> out = new LinkedHashMap<>();
        for (String kv : pairs) {
            int eq = kv.indexOf('=');
            if (eq <= 0 || kv.substring(0, eq).isBlank()) {
                throw new UsageException("Spark settings are K=V pairs (--spark-conf K=V,K=V or --conf K=V), got '"
                        + kv + "'");
            }
            out.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return out;
    }

    /** One of {@code choices} (case-insensitive), lower-cased. */
    public String getChoice(String name, String... choices) {
        String v = require(name).toLowerCase(java.util.Locale.ROOT);
        if (!Arrays.asList(choices).contains(v)) {
            throw new UsageException("--" + name + " must be one of " + String.join(", ", choices) + ", not '" + v + "'");
        }
        return v;
    }

    /** Whole numbers with an optional k/m/g suffix or underscores: 10m = 10,000,000. */
    static long parseCount(String v) {
        String s = v.trim().replace("_", "").toLowerCase(java.util.Locale.ROOT);
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

    /** The help text of a job: usage line, description, and every option with its default. */
    public static String usage(String job, String synopsis, String description, List<OptionSpec> jobSpecs) {
        StringBuilder b = new StringBuilder();
        b.append("Usage: sufstat ").append(job).append(' ').append(synopsis).append("\n\n");
        b.append(wrap(description, 0)).append("\n\nOptions:\n");
        List<OptionSpec> all = new ArrayList<>(jobSpecs);
        for (OptionSpec s : COMMON) {
            if (jobSpecs.stream().noneMatch(j -> j.name().equals(s.name()))) {
                all.add(s);
            }
        }
        for (OptionSpec s : all) {
            String head = "  --" + s.name() + (s.isFlag() ? "" : " " + s.metavar());
            String help = s.help() + (s.required() ? " Required." : "")
                    + (s.defaultValue() != null ? " Default: " + s.defaultValue() + "." : "");
            b.append(head).append('\n').append(wrap(help, 6)).append('\n');
        }
        return b.toString();
    }

    private static String wrap(String text, int indent) {
        StringBuilder out = new StringBuilder();
        String pad = " ".repeat(indent);
        for (String paragraph : text.split("\n")) {
            StringBuilder line = new StringBuilder(pad);
            for (String word : paragraph.split(" ")) {
                if (line.length() > indent && line.length() + word.length() + 1 > 96) {
                    out.append(line).append('\n');
                    line = new StringBuilder(pad);
                }
                if (line.length() > indent) {
                    line.append(' ');
                }
                line.append(word);
            }
            out.append(line).append('\n');
        }
        return out.toString().stripTrailing();
    }
}
