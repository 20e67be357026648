package io.ferry.policies.parse;

import io.ferry.policies.units.Durations;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads typed fields of one YAML mapping, reporting each problem at the offending node and substituting the
 * default so that reading goes on and every error of the file is found. {@link #finish()} reports the fields
 * nobody asked for as unknown, with a suggestion.
 */
final class MappingReader {
    private final String path;
    private final Node node;
    private final Errors errors;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
    private final Set<String> known = new LinkedHashSet<>();

    private MappingReader(String path, Node node, Errors errors) {
        this.path = path;
        this.node = node;
        this.errors = errors;
    }

    /** A reader over {@code node}; absent (null) reads as empty, a non-mapping is reported and read as empty. */
    static MappingReader of(String path, Node node, Errors errors) {
        MappingReader reader = new MappingReader(path, node, errors);
        if (node instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                String key = tuple.getKeyNode() instanceof ScalarNode s ? s.getValue() : null;
                if (key == null) {
                    errors.at(tuple.getKeyNode(), path + ": field names must be plain strings");
                } else if (reader.entries.containsKey(key)) {
                    int firstLine = reader.entries.get(key).getKeyNode().getStartMark().getLine() + 1;
                    errors.at(tuple.getKeyNode(), "duplicate field '" + reader.child(key)
                            + "' (first set on line " + firstLine + ")");
                } else {
                    reader.entries.put(key, tuple);
                }
            }
        } else if (node != null && !isNull(node)) {
            errors.at(node, path + ": expected a mapping, got " + describe(node));
        }
        return reader;
    }

    String path() {
        return path;
    }

    /** The mapping itself, for positions of errors about the whole section (null when absent). */
    Node node() {
        return node;
    }

    Errors errors() {
        return errors;
    }

    String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    boolean has(String key) {
        known.add(key);
        return entries.containsKey(key);
    }

    /** The value node, or empty when the field is absent or null. Marks the field as known. */
    Optional<Node> value(String key) {
        known.add(key);
        NodeTuple tuple = entries.get(key);
        return tuple == null || isNull(tuple.getValueNode()) ? Optional.empty() : Optional.of(tuple.getValueNode());
    }

    /** Where to report a problem about the field: its value, else the section, else the file start. */
    Node positionOf(String key) {
        NodeTuple tuple = entries.get(key);
        return tuple != null ? tuple.getValueNode() : node;
    }

    MappingReader mapping(String key) {
        return MappingReader.of(child(key), value(key).orElse(null), errors);
    }

    boolean bool(String key, boolean fallback) {
        return scalar(key, "true or false", fallback, s -> s.getTag().equals(Tag.BOOL)
                && (s.getValue().equals("true") || s.getValue().equals("false"))
                ? Optional.of(Boolean.parseBoolean(s.getValue())) : Optional.empty());
    }

    long integer(String key, long fallback, long min, long max) {
        long v = scalar(key, "a whole number", fallback, s -> s.getTag().equals(Tag.INT)
                ? parseLong(s.getValue()) : Optional.empty());
        return inRange(key, v, min, max) ? v : fallback;
    }

    double number(String key, double fallback, double min, double max) {
        double v = scalar(key, "a number", fallback, s -> s.getTag().equals(Tag.INT) || s.getTag().equals(Tag.FLOAT)
                ? parseDouble(s.getValue()) : Optional.empty());
        if (!(v >= min && v <= max)) {
            errors.at(positionOf(key), child(key) + ": " + trim(v) + " is out of range " + trim(min) + ".."
                    + trim(max));
            return fallback;
        }
        return v;
    }

    Duration duration(String key, Duration fallback) {
        return unitValue(key, fallback, Durations::parse, "duration", Durations.SYNTAX);
    }

    /** A scalar with a unit: a bare number is reported as a missing unit, other text as a bad value. */
    <T> T unitValue(String key, T fallback, Function<String, Optional<T>> parser, String what, String syntax) {
        Optional<Node> value = value(key);
        if (value.isEmpty()) {
            return fallback;
        }
        if (!(value.get() instanceof ScalarNode s)) {
            errors.at(value.get(), child(key) + ": expected a " + what + ", got " + describe(value.get()));
            return fallback;
        }
        Optional<T> parsed = parser.apply(s.getValue());
        if (parsed.isPresent()) {
            return parsed.get();
        }
        boolean bareNumber = s.getTag().equals(Tag.INT) || s.getTag().equals(Tag.FLOAT);
        errors.at(s, child(key) + ": " + (bareNumber ? "missing unit in '" + s.getValue() + "'" :
                "bad " + what + " '" + s.getValue() + "'") + ": use " + syntax);
        return fallback;
    }

    String string(String key, String fallback) {
        return scalar(key, "a string", fallback, s -> Optional.of(s.getValue()));
    }

    /** Keys and values of a flat mapping of scalars, e.g. a label selector. */
    Map<String, String> stringMap(String key) {
        Map<String, String> out = new LinkedHashMap<>();
        MappingReader inner = mapping(key);
        for (Map.Entry<String, NodeTuple> e : inner.entries.entrySet()) {
            inner.known.add(e.getKey());
            Node v = e.getValue().getValueNode();
            if (v instanceof ScalarNode s && !isNull(s)) {
                out.put(e.getKey(), s.getValue());
            } else {
                errors.at(v, inner.child(e.getKey()) + ": expected a string, got " + describe(v));
            }
        }
        return out;
    }

    /** Items of a sequence; a non-sequence is reported and read as empty. */
    List<Node> sequence(String key) {
        Optional<Node> value = value(key);
        if (value.isEmpty()) {
            return List.of();
        }
        if (value.get() instanceof SequenceNode seq) {
            return seq.getValue();
        }
        errors.at(value.get(), child(key) + ": expected a list, got " + describe(value.get()));
        return List.of();
    }

    /** Reports every field that no read asked for as unknown, with the closest known name. */
    void finish() {
        for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
            if (!known.contains(e.getKey())) {
                errors.at(e.getValue().getKeyNode(), "unknown field '" + child(e.getKey()) + "'"
                        + Suggestions.didYouMean(e.getKey(), known));
            }
        }
    }

    boolean inRange(String key, long v, long min, long max) {
        if (v < min || v > max) {
            boolean unbounded = max == Long.MAX_VALUE || max == Integer.MAX_VALUE;
            errors.at(positionOf(key), child(key) + ": " + v + (unbounded ? " is too small: must be at least " + min
                    : " is out of range " + min + ".." + max));
            return false;
        }
        return true;
    }

    private <T> T scalar(String key, String expected, T fallback, Function<ScalarNode, Optional<T>> convert) {
        Optional<Node> value = value(key);
        if (value.isEmpty()) {
            return fallback;
        }
        Optional<T> converted = value.get() instanceof ScalarNode s ? convert.apply(s) : Optional.empty();
        if (converted.isEmpty()) {
            errors.at(value.get(), child(key) + ": expected " + expected + ", got " + describe(value.get()));
            return fallback;
        }
        return converted.get();
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode s && s.getTag().equals(Tag.NULL);
    }

    static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        ScalarNode s = (ScalarNode) node;
        String kind = s.getTag().equals(Tag.BOOL) ? "boolean" : s.getTag().equals(Tag.INT) ? "integer"
                : s.getTag().equals(Tag.FLOAT) ? "number" : s.getTag().equals(Tag.NULL) ? "null" : "string";
        return kind + " '" + s.getValue() + "'";
    }

    private static Optional<Long> parseLong(String text) {
        try {
            return Optional.of(Long.parseLong(text.replace("_", "")));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<Double> parseDouble(String text) {
        try {
            double d = Double.parseDouble(text.replace("_", ""));
            return Double.isFinite(d) ? Optional.of(d) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String trim(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
    }
}
