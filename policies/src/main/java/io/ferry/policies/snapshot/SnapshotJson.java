package io.ferry.policies.snapshot;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads and writes the snapshot JSON format of {@code docs/snapshot.md}. Reading never throws for bad input: it
 * returns every problem with its JSON path. Writing produces what reading accepts (round trip).
 */
public final class SnapshotJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SnapshotJson() {
    }

    public static SnapshotReadResult read(Path file) {
        try {
            return read(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new SnapshotReadResult(Optional.empty(), List.of(file + ": cannot read file: " + e.getMessage()));
        }
    }

    /** @param source file name used in error messages */
    public static SnapshotReadResult read(String source, String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? "" : loc.getLineNr() + ":" + loc.getColumnNr() + ": ";
            return new SnapshotReadResult(Optional.empty(),
                    List.of(source + ":" + where + "JSON syntax error: " + e.getOriginalMessage()));
        }
        List<String> errors = new ArrayList<>();
        JsonFields f = new JsonFields(source, errors);
        if (root == null || !root.isObject()) {
            f.error("$", "expected a JSON object with now, hosts and vms");
            return new SnapshotReadResult(Optional.empty(), errors);
        }
        Instant now = f.instant(root.get("now"), "now");
        if (now == null && errors.isEmpty()) {
            f.error("now", "missing");
        }
        List<Host> hosts = new ArrayList<>();
        List<JsonNode> hostNodes = f.array(root, "", "hosts");
        for (int i = 0; i < hostNodes.size(); i++) {
            SnapshotParts.host(f, hostNodes.get(i), "hosts[" + i + "]").ifPresent(hosts::add);
        }
        Set<String> hostNames = new HashSet<>();
        hosts.forEach(h -> {
            if (!hostNames.add(h.name())) {
                f.error("hosts", "duplicate host name '" + h.name() + "'");
            }
        });
        List<Vm> vms = new ArrayList<>();
        List<JsonNode> vmNodes = f.array(root, "", "vms");
        Set<String> vmNames = new HashSet<>();
        for (int i = 0; i < vmNodes.size(); i++) {
            String path = "vms[" + i + "]";
            Optional<Vm> vm = SnapshotParts.vm(f, vmNodes.get(i), path);
            if (vm.isPresent() && !hostNames.contains(vm.get().host())) {
                f.error(path + ".host", "unknown host '" + vm.get().host() + "'");
            } else if (vm.isPresent() && !vmNames.add(vm.get().name())) {
                f.error(path + ".name", "duplicate vm name '" + vm.get().name() + "'");
            } else {
                vm.ifPresent(vms::add);
            }
        }
        List<MigrationInFlight> inFlight = new ArrayList<>();
        List<JsonNode> migrationNodes = f.array(root, "", "migrationsInFlight");
        for (int i = 0; i < migrationNodes.size(); i++) {
            JsonNode m = migrationNodes.get(i);
            String path = "migrationsInFlight[" + i + "]";
            String vm = f.string(m, path, "vm", true);
            String from = f.string(m, path, "from", true);
            String to = f.string(m, path, "to", true);
            if (vm != null && from != null && to != null) {
                inFlight.add(new MigrationInFlight(vm, from, to));
            }
        }
        if (!errors.isEmpty()) {
            return new SnapshotReadResult(Optional.empty(), errors);
        }
        return new SnapshotReadResult(Optional.of(new Snapshot(now, hosts, vms, inFlight)), List.of());
    }

    /** The snapshot as indented JSON. */
    public static String write(Snapshot snapshot) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("now", snapshot.now().toString());
        ArrayNode hosts = root.putArray("hosts");
        snapshot.hosts().forEach(h -> SnapshotParts.writeHost(hosts.addObject(), h));
        ArrayNode vms = root.putArray("vms");
        snapshot.vms().forEach(v -> SnapshotParts.writeVm(vms.addObject(), v));
        ArrayNode migrations = root.putArray("migrationsInFlight");
        for (MigrationInFlight m : snapshot.migrationsInFlight()) {
            migrations.addObject().put("vm", m.vm()).put("from", m.from()).put("to", m.to());
        }
        try {
            return MAPPER.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("serialising a JSON tree cannot fail", e);
        }
    }

    public static void write(Snapshot snapshot, Path file) throws IOException {
        Files.writeString(file, write(snapshot), StandardCharsets.UTF_8);
    }

    static void putLabels(ObjectNode node, String key, Map<String, String> labels) {
        ObjectNode out = node.putObject(key);
        labels.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> out.put(e.getKey(), e.getValue()));
    }

    static void putStrings(ObjectNode node, String key, Set<String> values) {
        ArrayNode out = node.putArray(key);
        values.stream().sorted().forEach(out::add);
    }

    static void putSeries(ObjectNode node, String key, TimeSeries series) {
        ArrayNode out = node.putArray(key);
        for (Sample s : series.samples()) {
            out.addArray().add(s.at().toString()).add(s.value());
        }
    }
}
