package io.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.common.testing.CiTools;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main command with its default scenario, watched by a real Prometheus: within five minutes the
 * metrics show a balance move, an evacuation for temperature, one for SMART, a host put in standby and one woken;
 * then every dashboard panel query and every alert expression of deploy/ is evaluated through Prometheus' HTTP API.
 */
class FerryUpDemoIT {
  private static final Path HOME = Path.of(System.getProperty("ferry.home", "..")).toAbsolutePath().normalize();
  private static final Pattern PROCESS = Pattern.compile("^(scheduler|agent) (\\S+) admin=\\S+ metrics=(\\S+)$");
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * Metrics a simulated cluster cannot produce, and why: sim hosts never fail to read a signal, so the counter of
   * unavailable signals (registered by the real-host samplers when a read fails) never appears.
   */
  private static final Set<String> REAL_HOST_ONLY = Set.of("ferry_signal_unavailable_total");

  @TempDir
  Path tmp;

  @Test
  void defaultScenarioShowsEveryKindOfDecisionAndEveryQueryReturnsData() throws Exception {
    Path prometheusBin = CiTools.require("prometheus");
    Map<String, String> env = Map.of("FERRY_CONTEXT", tmp.resolve("context.json").toString());
    try (FerryProcess up = FerryProcess.start(env, "up", "--no-tui", "--random-ports", "--state-dir",
        tmp.resolve("state").toString())) {
      Instant started = Instant.now();
      up.awaitLine(l -> l.startsWith("context="), Duration.ofSeconds(120));
      Map<String, List<String>> targets = new LinkedHashMap<>();
      for (String line : up.out()) {
        Matcher m = PROCESS.matcher(line);
        if (m.matches()) {
          targets.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(m.group(3));
        }
      }
      assertThat(targets.get("agent")).hasSize(8);
      int port = ClusterProcesses.freePort();
      Path config = writeConfig(targets);
      Process prometheus = new ProcessBuilder(prometheusBin.toString(), "--config.file=" + config,
          "--storage.tsdb.path=" + tmp.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
          .redirectErrorStream(true).redirectOutput(tmp.resolve("prometheus.log").toFile()).start();
      try {
        String api = "http://127.0.0.1:" + port + "/api/v1/query?query=";
        Map<String, String> milestones = new LinkedHashMap<>();
        milestones.put("balance move committed",
            "sum(ferry_migrations_finished_total{reason=\"balance\",result=\"committed\"}) > 0");
        milestones.put("evacuation for temperature committed",
            "sum(ferry_migrations_finished_total{reason=\"evacuate-temperature\",result=\"committed\"}) > 0");
        milestones.put("evacuation for SMART committed",
            "sum(ferry_migrations_finished_total{reason=\"evacuate-smart\",result=\"committed\"}) > 0");
        milestones.put("host put in standby",
            "max(max_over_time(ferry_host_power_state{state=\"standby\"}[15m])) == 1");
        milestones.put("host woken", "sum(ferry_decisions_total{kind=\"power\",reason=\"wake\"}) > 0");
        Map<String, Duration> reached = new LinkedHashMap<>();
        Instant deadline = started.plus(Duration.ofMinutes(7));
        while (reached.size() < milestones.size() && Instant.now().isBefore(deadline)) {
          for (var e : milestones.entrySet()) {
            if (!reached.containsKey(e.getKey()) && series(api, e.getValue()) > 0) {
              reached.put(e.getKey(), Duration.between(started, Instant.now()));
            }
          }
          Thread.sleep(2_000);
        }
        assertThat(reached.keySet()).as("milestones reached (out: %s)", String.join("\n", up.out()))
            .containsExactlyInAnyOrderElementsOf(milestones.keySet());
        // The scenario scripts temperature, then SMART, then the night and the morning: those come in that order.
        // The first balance move depends on how fast the leader starts and is checked for presence only.
        List<String> scripted = reached.keySet().stream().filter(k -> !k.startsWith("balance")).toList();
        assertThat(scripted).as("scripted milestones in order: %s", reached)
            .containsExactlyElementsOf(milestones.keySet().stream().filter(k -> !k.startsWith("balance")).toList());
        System.out.println("ferry up demo milestones: " + reached);
        // The reasons are visible to a person too.
        FerryProcess.Result status = FerryProcess.run(env, Duration.ofSeconds(60), "status");
        assertThat(status.exitCode()).isZero();
        assertThat(status.out()).contains("RECENT DECISIONS").contains("quarantine:");
        assertThat(String.join("\n", up.out())).contains("[balance]").contains("[evacuate-smart]")
            .contains("[standby]").contains("[wake]");

        List<String> failures = new ArrayList<>();
        for (String line : Files.readAllLines(HOME.resolve("deploy/grafana/queries.txt"))) {
          if (line.startsWith("#") || line.isBlank()) {
            continue;
          }
          String source = line.substring(0, line.indexOf('\t'));
          String expr = line.substring(line.indexOf('\t') + 1);
          JsonNode r = query(api, expr);
          if (!"success".equals(r.path("status").asText())) {
            failures.add(source + ": invalid: " + r.path("error").asText());
            continue;
          }
          Set<String> metrics = metricNames(expr);
          metrics.removeAll(REAL_HOST_ONLY);
          if (source.startsWith("panel:") && metricNames(expr).stream().noneMatch(REAL_HOST_ONLY::contains)
              && r.path("data").path("result").size() == 0) {
            failures.add(source + ": no series for " + expr);
          }
          for (String metric : metrics) {
            if (series(api, "count({__name__=\"" + metric + "\"})") == 0) {
              failures.add(source + ": metric " + metric + " has no series");
            }
          }
        }
        assertThat(failures).isEmpty();
      } finally {
        prometheus.destroy();
        prometheus.waitFor();
      }
      up.stop(Duration.ofSeconds(60));
    }
  }

  private static Set<String> metricNames(String expr) {
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("\\b(ferry_[a-z_]+)").matcher(expr);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  private Path writeConfig(Map<String, List<String>> targets) throws Exception {
    StringBuilder b = new StringBuilder("global:\n  scrape_interval: 2s\n  evaluation_interval: 2s\n")
        .append("rule_files:\n  - ").append(HOME.resolve("deploy/prometheus/rules/ferry-alerts.yml")).append('\n')
        .append("scrape_configs:\n");
    for (String role : List.of("scheduler", "agent")) {
      b.append("  - job_name: ferry-").append(role).append("\n    honor_labels: true\n    static_configs:\n")
          .append("      - targets: [");
      b.append(String.join(", ", targets.getOrDefault(role, List.of()).stream().map(t -> "'" + t + "'").toList()));
      b.append("]\n");
    }
    Path config = tmp.resolve("prometheus.yml");
    Files.writeString(config, b.toString());
    return config;
  }

  private static JsonNode query(String api, String expr) {
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(api + URLEncoder.encode(expr, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(r.body());
    } catch (Exception e) {
      return JSON.createObjectNode().put("status", "error").put("error", e.toString());
    }
  }

  private static int series(String api, String expr) {
    JsonNode r = query(api, expr);
    return "success".equals(r.path("status").asText()) ? r.path("data").path("result").size() : 0;
  }
}
