package io.sufstat.jobs.cli;

import java.util.Optional;

/**
 * One command-line option: {@code --name VALUE} (or a flag without value), its help text and default.
 * The same names are the keys of a {@code --config} properties file.
 */
public record OptionSpec(String name, String metavar, String help, String defaultValue, boolean required,
                         boolean repeatable) {

    public OptionSpec {
        if (!name.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("bad option name " + name);
        }
    }

    /** An option taking a value, with a default (or null for none). */
    public static OptionSpec value(String name, String metavar, String help, String defaultValue) {
        return new OptionSpec(name, metavar, help, defaultValue, false, false);
    }

    /** An option that must be given (on the command line or in the configuration file). */
    public static OptionSpec required(String name, String metavar, String help) {
        return new OptionSpec(name, metavar, help, null, true, false);
    }

    /** A flag: present or absent, no value. */
    public static OptionSpec flag(String name, String help) {
        return new OptionSpec(name, null, help, null, false, false);
    }

    /** An option that may be given several times ({@code --conf A=1 --conf B=2}); no default. */
    public static OptionSpec repeatable(String name, String metavar, String help) {
        return new OptionSpec(name, metavar, help, null, false, true);
    }

    public boolean isFlag() {
        return metavar == null;
    }

    public Optional<String> defaultOption() {
        return Optional.ofNullable(defaultValue);
    }
}
