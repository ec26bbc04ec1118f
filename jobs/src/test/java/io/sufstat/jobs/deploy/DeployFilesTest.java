package io.sufstat.jobs.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The files in deploy/ parse and name classes that exist: shell scripts, the Airflow DAG, the manifests. */
class DeployFilesTest {

    static final Path ROOT = Files.exists(Path.of("../deploy")) ? Path.of("..").toAbsolutePath().normalize()
            : Path.of("").toAbsolutePath();

    static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
        return out;
    }

    static List<Path> shellScripts() throws IOException {
        List<Path> scripts = new ArrayList<>();
        try (var s = Files.list(ROOT.resolve("deploy"))) {
            s.filter(p -> p.toString().endsWith(".sh") || p.getFileName().toString().equals("sufstat")).forEach(scripts::add);
        }
        scripts.add(ROOT.resolve(".ci/run"));
        return scripts;
    }

    @Test
    void shellScriptsParseAndPassShellcheckWhereInstalled() throws Exception {
        List<Path> scripts = shellScripts();
        assertTrue(scripts.size() >= 6, scripts.toString());
        for (Path s : scripts) {
            assertTrue(Files.isExecutable(s), s + " is not executable");
            run(List.of("bash", "-n", s.toString()));
        }
        boolean shellcheck = new ProcessBuilder("sh", "-c", "command -v shellcheck").start().waitFor() == 0;
        if (shellcheck) {
            List<String> cmd = new ArrayList<>(List.of("shellcheck", "-S", "warning"));
            scripts.forEach(s -> cmd.add(s.toString()));
            run(cmd);
        }
    }

    @Test
    void airflowDagsCompileAndNameRealMainClasses() throws Exception {
        boolean python = new ProcessBuilder("sh", "-c", "command -v python3").start().waitFor() == 0;
        Assumptions.assumeTrue(python, "python3 is not installed");
        assertEquals(3, compileAndCountMainClasses("sufstat_daily_drift.py"));
        assertEquals(3, compileAndCountMainClasses("sufstat_daily_window.py"));
        String drift = Files.readString(ROOT.resolve("deploy/airflow/sufstat_daily_drift.py"));
        assertTrue(drift.contains("{{ ds }}") && drift.contains("--fail-above") && drift.contains("macros.ds_add(ds, -1)"));
        String window = Files.readString(ROOT.resolve("deploy/airflow/sufstat_daily_window.py"));
        assertTrue(window.contains("{date}") && window.contains("\"--window\", \"7\"") && window.contains("\"--window\", \"30\""));
    }

    /** Byte-compiles a DAG and checks that every java_class it names has a main method; returns how many. */
    private static int compileAndCountMainClasses(String file) throws Exception {
        Path dag = ROOT.resolve("deploy/airflow").resolve(file);
        Path pyc = Files.createTempFile("dag", ".pyc");
        run(List.of("python3", "-c", "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)",
                dag.toString(), pyc.toString()));
        Matcher m = Pattern.compile("java_class=\"([\\w.]+)\"").matcher(Files.readString(dag));
        int classes = 0;
        while (m.find()) {
            Class.forName(m.group(1)).getMethod("main", String[].class);
            classes++;
        }
        return classes;
    }

    @Test
    void sparkApplicationManifestIsValidYamlForARealMainClass() throws Exception {
        JsonNode app = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("deploy/kubernetes/sparkapplication-gmm.yaml").toFile());
        assertEquals("SparkApplication", app.get("kind").asText());
        assertEquals("sparkoperator.k8s.io/v1beta2", app.get("apiVersion").asText());
        Class.forName(app.get("spec").get("mainClass").asText()).getMethod("main", String[].class);
        List<String> args = new ArrayList<>();
        app.get("spec").get("arguments").forEach(a -> args.add(a.asText()));
        assertFalse(args.isEmpty());
        // The arguments are valid options of the job.
        io.sufstat.jobs.core.Job gmm = io.sufstat.jobs.Sufstat.JOBS.get("gmm");
        io.sufstat.jobs.cli.Options.parse("gmm", gmm.options(), args.toArray(new String[0]), p -> "");
    }
}
