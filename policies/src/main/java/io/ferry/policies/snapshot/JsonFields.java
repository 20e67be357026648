package io.ferry.policies.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Typed, path-reporting access to a JSON object; problems are collected, defaults substituted. */
final class JsonFields {
    private final String source;
    private final List<String> errors;

    JsonFields(String source, List<String> errors) {
        this.source = source;
        this.errors = errors;
    }

    /** The JSON path of a field: {@code hosts[2].cpuCores}, or just the key at the top level. */
    static String at(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    void error(String path, String message) {
        errors.add(source + ": " + path + ": " + message);
    }

    String string(JsonNode obj, String path, String key, boolean required) {
        JsonNode v = obj.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                error(at(path, key), "missing");
            }
            return null;
        }
        if (!v.isTextual()) {
            error(at(path, key), "expected a string, got " + v);
            return null;
        }
        return v.asText();
    }

    double number(JsonNode obj, String path, String key, double fallback, boolean required) {
        JsonNode v = obj.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                error(at(path, key), "missing");
            }
            return fallback;
        }
        if (!v.isNumber() || v.asDouble() < 0) {
            error(at(path, key), "expected a number >= 0, got " + v);
            return fallback;
        }
        return v.asDouble();
    }

    long whole(JsonNode obj, String path, String key, long fallback, boolean required) {
        JsonNode v = obj.get(key);
        if (v != null && !v.isNull() && !v.canConvertToExactIntegral()) {
            error(at(path, key), "expected a whole number, got " + v);
            return fallback;
        }
        return (long) number(obj, path, key, fallback, required);
    }

    boolean bool(JsonNode obj, String path, String key, boolean fallback) {
        JsonNode v = obj.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            error(at(path, key), "expected true or false, got " + v);
            return fallback;
        }
        return v.asBoolean();
    }

    Instant instant(JsonNode v, String path) {
        if (v == null || v.isNull()) {
            return null;
        }
        try {
            return Instant.parse(v.asText());
        } catch (DateTimeParseException e) {
            error(path, "expected an ISO-8601 instant such as 2026-11-26T23:00:00Z, got " + v);
            return null;
        }
    }

    <E extends Enum<E>> E enumValue(JsonNode obj, String path, String key, Class<E> type, E fallback) {
        String text = string(obj, path, key, false);
        if (text == null) {
            return fallback;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(text)) {
                return e;
            }
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name().toLowerCase(Locale.ROOT));
        }
        error(at(path, key), "unknown value '" + text + "' (expected one of " + String.join(", ", names) + ")");
        return fallback;
    }

    Map<String, String> labels(JsonNode obj, String path, String key) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode v = obj.get(key);
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isObject()) {
            error(at(path, key), "expected an object of strings, got " + v);
            return out;
        }
        v.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    Set<String> strings(JsonNode obj, String path, String key) {
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode item : array(obj, path, key)) {
            out.add(item.asText());
        }
        return out;
    }

    List<JsonNode> array(JsonNode obj, String path, String key) {
        JsonNode v = obj.get(key);
        List<JsonNode> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            error(at(path, key), "expected an array, got " + v.getNodeType().name().toLowerCase(Locale.ROOT));
            return out;
        }
        v.forEach(out::add);
        return out;
    }

    /** A series written as {@code [[timestamp, value], ...]}. */
    TimeSeries series(JsonNode obj, String path, String key) {
        List<Sample> samples = new ArrayList<>();
        List<JsonNode> items = array(obj, path, key);
        for (int i = 0; i < items.size(); i++) {
            JsonNode pair = items.get(i);
            String where = at(path, key) + "[" + i + "]";
            if (!pair.isArray() || pair.size() != 2 || !pair.get(1).isNumber()) {
                error(where, "expected [timestamp, number], got " + pair);
                continue;
            }
            Instant at = instant(pair.get(0), where + "[0]");
            if (at != null) {
                samples.add(new Sample(at, pair.get(1).asDouble()));
            }
        }
        return new TimeSeries(samples);
    }
}
