package io.sufstat.jobs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No package of sufstat depends, directly or through others, on a package that depends on it: the job
 * registry ({@code io.sufstat.jobs}) sits above the jobs, the jobs above {@code core}, {@code em}, {@code io}
 * and {@code spark}, and sufstat-common below them all. Read from the sources' references to
 * {@code io.sufstat.…} classes.
 */
class PackageCyclesTest {

    static Map<String, Set<String>> dependencies(Path... roots) throws IOException {
        Map<String, Set<String>> deps = new TreeMap<>();
        Pattern ref = Pattern.compile("\\b(io\\.sufstat\\.[a-z.]+)\\.[A-Z]\\w*");
        for (Path root : roots) {
            List<Path> files;
            try (var s = Files.walk(root)) {
                files = s.filter(p -> p.toString().endsWith(".java")).toList();
            }
            for (Path f : files) {
                String text = Files.readString(f);
                Matcher pkg = Pattern.compile("(?m)^package ([\\w.]+);").matcher(text);
                assertTrue(pkg.find(), f.toString());
                Set<String> to = deps.computeIfAbsent(pkg.group(1), k -> new TreeSet<>());
                Matcher m = ref.matcher(text);
                while (m.find()) {
                    if (!m.group(1).equals(pkg.group(1))) {
                        to.add(m.group(1));
                    }
                }
            }
        }
        return deps;
    }

    @Test
    void noPackageCycles() throws IOException {
        Path repo = BadInputCatalogueTest.Fixtures.repository();
        Map<String, Set<String>> deps = dependencies(repo.resolve("jobs/src/main/java"), repo.resolve("common/src/main/java"));
        assertTrue(deps.size() >= 15, deps.keySet().toString());
        List<String> cycles = new ArrayList<>();
        for (String a : deps.keySet()) {
            for (String b : deps.get(a)) {
                if (reaches(deps, b, a)) {
                    cycles.add(a + " → " + b);
                }
            }
        }
        assertEquals(List.of(), cycles, "package cycles");
    }

    private static boolean reaches(Map<String, Set<String>> deps, String from, String to) {
        Set<String> seen = new HashSet<>();
        List<String> stack = new ArrayList<>(List.of(from));
        while (!stack.isEmpty()) {
            String x = stack.remove(stack.size() - 1);
            if (x.equals(to)) {
                return true;
            }
            if (seen.add(x)) {
                stack.addAll(deps.getOrDefault(x, Set.of()));
            }
        }
        return false;
    }
}
