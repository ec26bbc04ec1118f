package io.sufstat.jobs.cli;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
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
 * (command-line values win). Unknown options or keys, missing values and values their {@link Opt} refuses
 * are {@link UsageException}s that name the option; every value (and every default) is parsed and checked
 * here, before a job starts. Jobs read typed values with {@link #get(Opt)}.
 */
public final class Options {

    public static final Opt<String> CONFIG = Opt.text("config", "PATH", "Properties file (local or Hadoop path) whose"
            + " keys are these option names without '--'; command-line options override it.").protectsPath();
    public static final Opt<String> MASTER = Opt.text("master", "URL", "Spark master when not launched by spark-submit"
            + " (default local[*]).");
    public static final Opt<String> SPARK_CONF = Opt.text("spark-conf", "K=V[,K=V…]", "Extra Spark settings for a"
            + " session this job creates. A comma starts a new pair only where a key= follows, so values may hold"
            + " commas (spark.jars=a.jar,b.jar); --conf sets one pair with any value.");
    public static final Opt<List<String>> CONF = Opt.repeatable("conf", "K=V", "One extra Spark setting, as"
            + " spark-submit's --conf; repeatable.");
    public static final Opt<Boolean> QUIET = Opt.flag("quiet", "Log warnings and errors only.");
    public static final Opt<Boolean> VERBOSE = Opt.flag("verbose", "Log debug output of sufstat and Spark's INFO lines.");
    public static final Opt<Boolean> HELP = Opt.flag("help", "Print this help and exit.");

    /** Options every job takes. */
    public static final List<Opt<?>> COMMON = List.of(CONFIG, MASTER, SPARK_CONF, CONF, QUIET, VERBOSE, HELP);

    private final String job;
    private final Map<String, Opt<?>> specs;
    private final Map<String, String> values;
    private final Map<String, Object> parsed;

    private Options(String job, Map<String, Opt<?>> specs, Map<String, String> values, Map<String, Object> parsed) {
        this.job = job;
        this.specs = specs;
        this.values = values;
        this.parsed = parsed;
    }

    /**
     * Parses {@code args} against {@code jobOptions} plus {@link #COMMON}. {@code configReader} reads the
     * text of a {@code --config} path (called only when one is given).
     */
    public static Options parse(String job, List<Opt<?>> jobOptions, String[] args, Function<String, String> configReader) {
        Map<String, Opt<?>> specs = new LinkedHashMap<>();
        for (Opt<?> s : jobOptions) {
            if (specs.put(s.name(), s) != null) {
                throw new IllegalArgumentException(job + " declares --" + s.name() + " twice");
            }
        }
        for (Opt<?> s : COMMON) {
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
            Opt<?> spec = specs.get(name);
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
                    throw new UsageException("--" + name + " needs a value (" + spec.metavar().orElse("") + ")");
                }
                value = args[++i];
            }
            if (spec.isRepeatable()) {
                repeated.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
                continue;
            }
            if (cli.containsKey(name)) {
                throw new UsageException("--" + name + " is given twice");
            }
            cli.put(name, value);
        }
        Map<String, String> merged = new LinkedHashMap<>();
        if (cli.containsKey(CONFIG.name()) && !cli.containsKey(HELP.name())) {
            String path = cli.get(CONFIG.name());
            merged.putAll(parseConfig(path, configReader.apply(path), specs));
        }
        merged.putAll(cli);
        if (merged.containsKey(HELP.name())) {
            return new Options(job, specs, merged, Map.of(HELP.name(), true));
        }
        return new Options(job, specs, merged, parseAll(specs, merged, repeated));
    }

    /** Every given value and every default, parsed and checked; a missing required option is a usage error. */
    private static Map<String, Object> parseAll(Map<String, Opt<?>> specs, Map<String, String> given,
                                                Map<String, List<String>> repeated) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Opt<?> s : specs.values()) {
            if (s.isRepeatable()) {
                out.put(s.name(), List.copyOf(repeated.getOrDefault(s.name(), List.of())));
            } else if (s.isFlag()) {
                out.put(s.name(), given.containsKey(s.name()));
            } else if (given.containsKey(s.name())) {
                out.put(s.name(), s.parse(given.get(s.name())));
            } else if (s.defaultText().isPresent()) {
                out.put(s.name(), s.parse(s.defaultText().get()));
            }
        }
        for (Opt<?> s : specs.values()) {
            if (s.isRequired() && !given.containsKey(s.name())) {
                throw new UsageException("--" + s.name() + " is required");
            }
        }
        return out;
    }

    private static Map<String, String> parseConfig(String path, String text, Map<String, Opt<?>> specs) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw new UsageException("cannot parse configuration " + path + ": " + e.getMessage());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : new TreeSet<>(p.stringPropertyNames())) {
            Opt<?> spec = specs.get(key);
            if (spec == null || key.equals("config") || key.equals("help")) {
                List<String> valid = new ArrayList<>(specs.keySet());
                valid.removeAll(List.of("config", "help"));
                throw new UsageException("unknown key '" + key + "' in configuration " + path
                        + suggestion(key, specs.keySet()) + "; valid keys: " + String.join(", ", valid));
            }
            String v = p.getProperty(key).trim();
            if (spec.isRepeatable()) {
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

    @SuppressWarnings("unchecked")
    private <T> Opt<T> declared(Opt<T> opt) {
        Opt<?> s = specs.get(opt.name());
        if (s != opt) {
            throw new IllegalArgumentException("option " + opt + " is not declared by " + job);
        }
        return (Opt<T>) s;
    }

    /**
     * The value given, or the default; a {@link UsageException} ("--name is required") when neither. A flag
     * is false when absent, a repeatable option an empty list.
     */
    public <T> T get(Opt<T> opt) {
        return find(opt).orElseThrow(() -> new UsageException("--" + opt.name() + " is required"));
    }

    /** The value given, or the default; empty when neither. */
    @SuppressWarnings("unchecked")
    public <T> Optional<T> find(Opt<T> opt) {
        declared(opt);
        return Optional.ofNullable((T) parsed.get(opt.name()));
    }

    /** True when the option was given (on the command line or in the configuration). */
    public boolean given(Opt<?> opt) {
        declared(opt);
        return values.containsKey(opt.name());
    }

    /** The text of the value given or of the default, as typed (for messages and fingerprints). */
    public Optional<String> text(Opt<?> opt) {
        declared(opt);
        return Optional.ofNullable(values.getOrDefault(opt.name(), opt.defaultText().orElse(null)));
    }

    /** True when this job declares the option. */
    public boolean declares(Opt<?> opt) {
        return specs.get(opt.name()) == opt;
    }

    /** Every option this job declares, its own first. */
    public List<Opt<?>> declared() {
        return List.copyOf(specs.values());
    }

    /**
     * Spark settings from {@code --spark-conf} and every {@code --conf}, in that order (a later one wins).
     * In {@code --spark-conf} a comma separates pairs only where another {@code key=} follows it, so that
     * {@code spark.jars=a.jar,b.jar} is one setting.
     */
    public Map<String, String> sparkSettings() {
        List<String> pairs = new ArrayList<>();
        find(SPARK_CONF).filter(v -> !v.isBlank())
                .ifPresent(v -> pairs.addAll(Arrays.asList(v.split(",(?=\\s*[A-Za-z][A-Za-z0-9_.\\-]*\\s*=)"))));
        pairs.addAll(get(CONF));
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

    /** The help text of a job: usage line, description, and every option with its default. */
    public static String usage(String job, String synopsis, String description, List<Opt<?>> jobSpecs) {
        StringBuilder b = new StringBuilder();
        b.append("Usage: sufstat ").append(job).append(' ').append(synopsis).append("\n\n");
        b.append(wrap(description, 0)).append("\n\nOptions:\n");
        List<Opt<?>> all = new ArrayList<>(jobSpecs);
        for (Opt<?> s : COMMON) {
            if (jobSpecs.stream().noneMatch(j -> j.name().equals(s.name()))) {
                all.add(s);
            }
        }
        for (Opt<?> s : all) {
            String head = "  --" + s.name() + s.metavar().map(m -> " " + m).orElse("");
            String help = s.help() + (s.isRequired() ? " Required." : "")
                    + s.defaultText().map(d -> " Default: " + d + ".").orElse("");
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
