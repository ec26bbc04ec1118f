package io.sufstat.jobs.cli;

import io.sufstat.jobs.core.Job;
import io.sufstat.jobs.Sufstat;
import io.sufstat.jobs.io.HadoopFiles;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every example in conf/ (named JOB-….properties) is valid for its job. */
class ExampleConfigTest {

    @Test
    void everyExampleConfigurationParses() throws IOException {
        Path conf = Files.exists(Path.of("../conf")) ? Path.of("../conf") : Path.of("conf");
        List<Path> files;
        try (var s = Files.list(conf)) {
            files = s.filter(p -> p.toString().endsWith(".properties") && !p.getFileName().toString().startsWith("log4j"))
                    .sorted().toList();
        }
        assertFalse(files.isEmpty());
        for (Path f : files) {
            String name = f.getFileName().toString();
            Job job = Sufstat.JOBS.keySet().stream().filter(j -> name.startsWith(j + "-")).findFirst()
                    .map(Sufstat.JOBS::get).orElse(null);
            assertNotNull(job, name + " does not start with a job name");
            Options o = Options.parse(job.name(), job.options(), new String[] {"--config", f.toString()},
                    HadoopFiles::readConfigText);
            assertTrue(o.given(io.sufstat.jobs.io.AtomicOutput.OUTPUT), name);
        }
    }
}
