package io.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.ferry.common.testing.CiTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The files operators deploy with are valid: {@code deploy/check.sh} passes (promtool on the scrape configuration,
 * the alert rules, their unit tests and every panel query; systemd units; shell syntax), and every dashboard, compose,
 * Kubernetes and provisioning file parses even where the script's Python checks are skipped.
 */
class DeployFilesIT {
  private static final Path DEPLOY = Path.of(System.getProperty("ferry.home", "..")).toAbsolutePath().normalize()
      .resolve("deploy");
  /** Grafana variables and the values deploy/grafana/queries.txt gives them (as deploy/grafana/dashboards.py does). */
  private static final Map<String, String> VARIABLES = Map.of("$__rate_interval", "1m", "$__interval", "1m",
      "$__range", "1h", "$host", ".*");

  @Test
  void checkScriptPasses() throws Exception {
    CiTools.require("promtool");
    Process p = new ProcessBuilder("bash", DEPLOY.resolve("check.sh").toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("check.sh finished").isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).as(out).doesNotContain("FAIL").contains("ok    promtool test rules");
  }

  @Test
  void queriesTxtListsEveryPanelQueryOfTheDashboards() throws IOException {
    ObjectMapper json = new ObjectMapper();
    Set<String> fromDashboards = new LinkedHashSet<>();
    List<Path> dashboards = files(DEPLOY.resolve("grafana/dashboards"), ".json");
    assertThat(dashboards).hasSize(4);
    for (Path file : dashboards) {
      JsonNode d = json.readTree(file.toFile());
      assertThat(d.path("schemaVersion").asInt()).as(file.toString()).isEqualTo(39);
      for (JsonNode panel : d.path("panels")) {
        for (JsonNode target : panel.path("targets")) {
          fromDashboards.add(evaluable(target.path("expr").asText()));
        }
      }
    }
    List<String> listed = Files.readAllLines(DEPLOY.resolve("grafana/queries.txt")).stream()
        .filter(l -> l.startsWith("panel:")).map(l -> l.substring(l.indexOf('\t') + 1)).toList();
    assertThat(fromDashboards).isNotEmpty();
    assertThat(new LinkedHashSet<>(listed)).containsExactlyInAnyOrderElementsOf(fromDashboards);
  }

  @Test
  void everyYamlFileParsesAndKubernetesObjectsAreNamed() throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    List<Path> files = new ArrayList<>(files(DEPLOY, ".yml"));
    files.addAll(files(DEPLOY, ".yaml"));
    assertThat(files).hasSizeGreaterThanOrEqualTo(10);
    for (Path file : files) {
      List<JsonNode> docs;
      try (MappingIterator<JsonNode> it = yaml.readerFor(JsonNode.class).readValues(file.toFile())) {
        docs = it.readAll().stream().filter(n -> n != null && !n.isNull() && !n.isMissingNode()).toList();
      }
      assertThat(docs).as(file.toString()).isNotEmpty();
      if (file.startsWith(DEPLOY.resolve("k8s"))) {
        for (JsonNode doc : docs) {
          assertThat(doc.hasNonNull("apiVersion") && doc.hasNonNull("kind")).as(file + ": apiVersion/kind").isTrue();
          if (!"Kustomization".equals(doc.path("kind").asText())) {
            assertThat(doc.path("metadata").path("name").asText()).as(file + ": metadata.name").isNotEmpty();
          }
        }
      }
    }
    JsonNode compose = yaml.readTree(DEPLOY.resolve("compose/docker-compose.yml").toFile());
    assertThat(compose.path("services").fieldNames()).toIterable()
        .contains("zk1", "zk2", "zk3", "sched-1", "sched-2", "sched-3", "prometheus", "grafana");
  }

  private static String evaluable(String expr) {
    String e = expr;
    for (Map.Entry<String, String> v : VARIABLES.entrySet()) {
      e = e.replace(v.getKey(), v.getValue());
    }
    return e.replaceAll("\\s+", " ").strip();
  }

  private static List<Path> files(Path dir, String suffix) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().collect(Collectors.toList());
    }
  }
}
