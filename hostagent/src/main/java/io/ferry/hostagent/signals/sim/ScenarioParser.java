package io.ferry.hostagent.signals.sim;

import io.ferry.hostagent.signals.sim.ScenarioEvent.LoadCurve;
import io.ferry.hostagent.signals.sim.ScenarioEvent.SmartChange;
import io.ferry.hostagent.signals.sim.ScenarioEvent.TemperatureRamp;
import io.ferry.hostagent.signals.sim.ScenarioEvent.TemperatureRelease;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a scenario file (format in docs/scenarios.md) and validates all of it before anything runs: every problem is
 * a {@link ScenarioException} whose message is {@code file:line: what is wrong}.
 */
public final class ScenarioParser {
  private static final Set<String> TOP = Set.of("name", "events");
  private static final Set<String> EVENT = Set.of("at", "host", "temperature", "smart", "load");
  private static final Set<String> TEMPERATURE = Set.of("rampTo", "over", "release");
  private static final Set<String> SMART = Set.of("disk", "reallocatedSectors", "pendingSectors",
      "offlineUncorrectable", "smartPassed");
  private static final Set<String> LOAD = Set.of("curve", "period", "low", "high", "value");
  // Beyond what the real temperature sampler accepts as a reading, so a scenario cannot produce what Ferry refuses.
  private static final double MAX_CELSIUS = 150;

  private ScenarioParser() {}

  public static Scenario parse(Path file) {
    try {
      return parse(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new ScenarioException(file + ": cannot read the scenario file: " + e.getMessage(), e);
    }
  }

  /** Parses {@code text}; {@code fileName} is only used in messages. */
  public static Scenario parse(String text, String fileName) {
    Node root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 1 : e.getProblemMark().getLine() + 1;
      throw new ScenarioException(fileName, line, "not valid YAML: " + e.getProblem());
    } catch (YAMLException e) {
      throw new ScenarioException(fileName, 1, "not valid YAML: " + e.getMessage());
    }
    if (root == null) {
      throw new ScenarioException(fileName, 1, "the scenario is empty: it needs 'events:'");
    }
    YamlMapping top = YamlMapping.of(fileName, "the scenario", root, TOP);
    String name = top.has("name") ? top.string("name") : fileName;
    List<ScenarioEvent> events = new ArrayList<>();
    for (Node event : top.list("events")) {
      events.add(event(YamlMapping.of(fileName, "an event", event, EVENT)));
    }
    return new Scenario(name, events);
  }

  private static ScenarioEvent event(YamlMapping e) {
    Duration at = e.duration("at");
    String host = e.string("host").trim();
    if (host.isEmpty()) {
      throw e.error(e.node("host"), "host must name a host, or be \"*\" for every host");
    }
    List<String> kinds = new ArrayList<>();
    for (String kind : List.of("temperature", "smart", "load")) {
      if (e.has(kind)) {
        kinds.add(kind);
      }
    }
    if (kinds.size() != 1) {
      throw e.error(kinds.isEmpty() ? "an event needs one of temperature, smart or load"
          : "an event does one thing, this one has " + String.join(" and ", kinds) + ": write one event for each");
    }
    return switch (kinds.get(0)) {
      case "temperature" -> temperature(at, host, e.line(), sub(e, "temperature", TEMPERATURE));
      case "smart" -> smart(at, host, e.line(), sub(e, "smart", SMART));
      default -> load(at, host, e.line(), sub(e, "load", LOAD));
    };
  }

  private static YamlMapping sub(YamlMapping event, String key, Set<String> allowed) {
    return event.mapping(key, allowed);
  }

  private static ScenarioEvent temperature(Duration at, String host, int line, YamlMapping t) {
    if (t.has("release")) {
      if (t.has("rampTo") || t.has("over") || !t.bool("release")) {
        throw t.error("temperature: write either 'release: true' alone or 'rampTo' (with 'over')");
      }
      return new TemperatureRelease(at, host, line);
    }
    double celsius = t.number("rampTo");
    if (celsius < 0 || celsius > MAX_CELSIUS) {
      throw t.error(t.node("rampTo"), "rampTo must be between 0 and " + (int) MAX_CELSIUS + " C, got " + celsius);
    }
    Duration over = t.has("over") ? t.duration("over") : Duration.ZERO;
    return new TemperatureRamp(at, host, line, celsius, over);
  }

  private static ScenarioEvent smart(Duration at, String host, int line, YamlMapping s) {
    long reallocated = counter(s, "reallocatedSectors");
    long pending = counter(s, "pendingSectors");
    long offline = counter(s, "offlineUncorrectable");
    Optional<Boolean> passed = s.has("smartPassed") ? Optional.of(s.bool("smartPassed")) : Optional.empty();
    if (!s.has("reallocatedSectors") && !s.has("pendingSectors") && !s.has("offlineUncorrectable")
        && passed.isEmpty()) {
      throw s.error("smart needs at least one of reallocatedSectors, pendingSectors, offlineUncorrectable, "
          + "smartPassed");
    }
    return new SmartChange(at, host, line, s.optionalString("disk"),
        new SmartDelta(reallocated, pending, offline, passed));
  }

  private static long counter(YamlMapping s, String key) {
    if (!s.has(key)) {
      return 0;
    }
    long delta = s.integer(key);
    if (delta < 0) {
      throw s.error(s.node(key), key + " grows by a number of sectors; SMART counters never shrink, got " + delta);
    }
    return delta;
  }

  private static ScenarioEvent load(Duration at, String host, int line, YamlMapping l) {
    String curve = l.string("curve");
    switch (curve) {
      case "dayNight" -> {
        if (l.has("value")) {
          throw l.error(l.node("value"), "a dayNight curve takes low and high, not value");
        }
        Duration period = l.duration("period");
        double low = l.number("low");
        double high = l.number("high");
        if (period.isZero()) {
          throw l.error(l.node("period"), "period must be longer than 0");
        }
        if (low < 0 || high < low) {
          throw l.error("load needs 0 <= low <= high, got low " + low + " and high " + high);
        }
        return new LoadCurve(at, host, line, LoadCurve.Curve.DAY_NIGHT, period, low, high);
      }
      case "constant" -> {
        for (String key : List.of("period", "low", "high")) {
          if (l.has(key)) {
            throw l.error(l.node(key), "a constant curve takes only value, not " + key);
          }
        }
        double value = l.number("value");
        if (value < 0) {
          throw l.error(l.node("value"), "value must not be negative, got " + value);
        }
        return new LoadCurve(at, host, line, LoadCurve.Curve.CONSTANT, Duration.ZERO, value, value);
      }
      default -> throw l.error(l.node("curve"), "curve must be dayNight or constant, got '" + curve + "'");
    }
  }
}
