package io.ferry.hostagent.signals.sim;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * One YAML mapping of a scenario file read field by field, each error naming the file and line of the offending
 * value. Unknown and repeated keys are refused up front, so a typo never silently does nothing.
 */
final class YamlMapping {
  private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

  private final String file;
  private final String what;
  private final Node node;
  private final Map<String, Node> fields = new LinkedHashMap<>();

  private YamlMapping(String file, String what, Node node) {
    this.file = file;
    this.what = what;
    this.node = node;
  }

  /** Reads {@code node} as a mapping whose keys are all in {@code allowed}. */
  static YamlMapping of(String file, String what, Node node, Set<String> allowed) {
    YamlMapping mapping = new YamlMapping(file, what, node);
    if (!(node instanceof MappingNode map)) {
      throw mapping.error(node, what + " must be a mapping of keys to values");
    }
    for (NodeTuple tuple : map.getValue()) {
      String key = tuple.getKeyNode() instanceof ScalarNode s ? s.getValue() : "";
      if (!allowed.contains(key)) {
        throw mapping.error(tuple.getKeyNode(), "unknown key '" + key + "' in " + what + " (allowed: "
            + String.join(", ", allowed.stream().sorted().toList()) + ")");
      }
      if (mapping.fields.put(key, tuple.getValueNode()) != null) {
        throw mapping.error(tuple.getKeyNode(), "'" + key + "' appears twice in " + what);
      }
    }
    return mapping;
  }

  /** The value of {@code key} read as a nested mapping. */
  YamlMapping mapping(String key, Set<String> allowed) {
    return of(file, key, required(key), allowed);
  }

  boolean has(String key) {
    return fields.containsKey(key);
  }

  Node node(String key) {
    return fields.get(key);
  }

  int line() {
    return line(node);
  }

  String string(String key) {
    return scalar(required(key), key);
  }

  String optionalString(String key) {
    return has(key) ? string(key) : null;
  }

  double number(String key) {
    Node value = required(key);
    try {
      double number = Double.parseDouble(scalar(value, key));
      if (Double.isFinite(number)) {
        return number;
      }
    } catch (NumberFormatException e) {
      // reported below with the line
    }
    throw error(value, key + " must be a number, got '" + scalar(value, key) + "'");
  }

  /** A whole number, optionally signed ({@code +200}). */
  long integer(String key) {
    Node value = required(key);
    try {
      return Long.parseLong(scalar(value, key));
    } catch (NumberFormatException e) {
      throw error(value, key + " must be a whole number such as +200, got '" + scalar(value, key) + "'");
    }
  }

  boolean bool(String key) {
    Node value = required(key);
    String text = scalar(value, key);
    if (!text.equals("true") && !text.equals("false")) {
      throw error(value, key + " must be true or false, got '" + text + "'");
    }
    return Boolean.parseBoolean(text);
  }

  /** A duration such as {@code 90s}, {@code 3m}, {@code 1h30m} or {@code 500ms}; {@code 0} is allowed bare. */
  Duration duration(String key) {
    Node value = required(key);
    String text = scalar(value, key).trim();
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = DURATION_PART.matcher(text);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      double amount = Double.parseDouble(m.group(1));
      long unitMillis = switch (m.group(2)) {
        case "ms" -> 1;
        case "s" -> 1000;
        case "m" -> 60_000;
        default -> 3_600_000;
      };
      total = total.plusMillis(Math.round(amount * unitMillis));
      end = m.end();
    }
    if (end == 0 || end != text.length()) {
      throw error(value, key + " must be a duration such as 90s, 3m, 1h30m or 500ms, got '" + text + "'");
    }
    return total;
  }

  List<Node> list(String key) {
    Node value = required(key);
    if (!(value instanceof SequenceNode seq)) {
      throw error(value, key + " must be a list");
    }
    return seq.getValue();
  }

  ScenarioException error(String message) {
    return error(node, message);
  }

  ScenarioException error(Node at, String message) {
    return new ScenarioException(file, line(at), message);
  }

  private Node required(String key) {
    Node value = fields.get(key);
    if (value == null) {
      throw error(node, what + " needs '" + key + "'");
    }
    return value;
  }

  private String scalar(Node value, String key) {
    if (!(value instanceof ScalarNode s)) {
      throw error(value, key + " must be a single value, not a list or mapping");
    }
    return s.getValue();
  }

  private static int line(Node node) {
    return node.getStartMark().getLine() + 1;
  }
}
