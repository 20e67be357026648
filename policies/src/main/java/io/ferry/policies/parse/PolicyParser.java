package io.ferry.policies.parse;

import io.ferry.policies.model.BalanceSettings;
import io.ferry.policies.model.ConsolidationSettings;
import io.ferry.policies.model.FailureAvoidanceSettings;
import io.ferry.policies.model.Limits;
import io.ferry.policies.model.MigrationSettings;
import io.ferry.policies.model.PowerModel;
import io.ferry.policies.model.Rule;
import io.ferry.policies.model.SchedulingPolicy;
import io.ferry.policies.model.Windows;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads {@code SchedulingPolicy} files. Never throws for a bad file: every problem comes back as a
 * {@link PolicyError} with its position, all of them at once. Thread-safe (no state).
 */
public final class PolicyParser {
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?");

    private PolicyParser() {
    }

    /** Reads a policy file from disk; an unreadable file is reported as an error of that file. */
    public static ParseResult parse(Path file) {
        try {
            return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new ParseResult(Optional.empty(),
                    List.of(new PolicyError(file.toString(), 1, 1, "cannot read file: " + e.getMessage())));
        }
    }

    /**
     * Parses and validates one policy.
     *
     * @param fileName used in error positions only
     * @param yaml     the file's text
     */
    public static ParseResult parse(String fileName, String yaml) {
        Errors errors = new Errors(fileName);
        Optional<Node> root = singleDocument(yaml, errors);
        SchedulingPolicy policy = root.map(node -> policy(node, errors)).orElse(null);
        if (!errors.list().isEmpty() || policy == null) {
            if (errors.list().isEmpty()) {
                errors.atStart("empty file: expected a SchedulingPolicy");
            }
            return new ParseResult(Optional.empty(), errors.list());
        }
        return new ParseResult(Optional.of(policy), List.of());
    }

    private static Optional<Node> singleDocument(String yaml, Errors errors) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(true); // reported by MappingReader with both positions
        List<Node> documents = new ArrayList<>();
        try {
            Iterator<Node> it = new Yaml(options).composeAll(new StringReader(yaml)).iterator();
            while (it.hasNext()) {
                documents.add(it.next());
            }
        } catch (MarkedYAMLException e) {
            String problem = e.getProblem() == null ? e.getContext() : e.getProblem();
            errors.at(e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark(),
                    "YAML syntax error: " + problem);
            return Optional.empty();
        } catch (YAMLException e) {
            errors.atStart("YAML error: " + e.getMessage());
            return Optional.empty();
        }
        if (documents.size() > 1) {
            errors.at(documents.get(1), "multiple YAML documents in one file: put one SchedulingPolicy per file");
            return Optional.empty();
        }
        if (documents.isEmpty() || MappingReader.isNull(documents.get(0))) {
            errors.atStart("empty file: expected a SchedulingPolicy (apiVersion: " + SchedulingPolicy.API_VERSION
                    + ", kind: " + SchedulingPolicy.KIND + ")");
            return Optional.empty();
        }
        return Optional.of(documents.get(0));
    }

    private static SchedulingPolicy policy(Node rootNode, Errors errors) {
        if (!(rootNode instanceof MappingNode)) {
            errors.at(rootNode, "expected a mapping with apiVersion, kind, metadata and spec, got "
                    + MappingReader.describe(rootNode));
            return null;
        }
        MappingReader root = MappingReader.of("", rootNode, errors);
        expectConstant(root, "apiVersion", SchedulingPolicy.API_VERSION);
        expectConstant(root, "kind", SchedulingPolicy.KIND);
        MappingReader metadata = root.mapping("metadata");
        String name = metadata.string("name", "");
        if (!metadata.has("name")) {
            errors.at(root.positionOf("metadata"), "metadata.name: missing policy name");
        } else if (!NAME.matcher(name).matches()) {
            errors.at(metadata.positionOf("name"), "metadata.name: '" + name
                    + "' is not a valid name (lowercase letters, digits, '-' and '.', at most 63 characters)");
        }
        metadata.finish();
        MappingReader spec = root.mapping("spec");
        root.finish();
        SchedulingPolicy policy = spec(spec, name);
        return errors.count() == 0 ? policy : null;
    }

    private static SchedulingPolicy spec(MappingReader spec, String name) {
        Duration interval = spec.duration("interval", SchedulingPolicy.DEFAULT_INTERVAL);
        if (interval.isZero()) {
            spec.errors().at(spec.positionOf("interval"), "spec.interval: must be longer than 0s");
        }
        BalanceSettings balance = SpecReader.balance(spec.mapping("balance"));
        ConsolidationSettings consolidation = SpecReader.consolidation(spec.mapping("consolidation"));
        FailureAvoidanceSettings failure = SpecReader.failureAvoidance(spec.mapping("failureAvoidance"));
        Limits limits = SpecReader.limits(spec.mapping("limits"));
        Windows windows = RulesReader.windows(spec.mapping("windows"));
        List<Rule> rules = RulesReader.rules(spec);
        MigrationSettings migration = SpecReader.migration(spec.mapping("migration"));
        PowerModel power = SpecReader.power(spec.mapping("power"));
        spec.finish();
        if (spec.errors().count() > 0) {
            return null;
        }
        return new SchedulingPolicy(name, interval, balance, consolidation, failure, limits, windows, rules,
                migration, power);
    }

    private static void expectConstant(MappingReader root, String key, String expected) {
        if (!root.has(key)) {
            root.errors().at(root.node(), "missing field '" + key + "' (expected " + key + ": " + expected + ")");
            return;
        }
        String actual = root.string(key, expected);
        if (!actual.equals(expected)) {
            root.errors().at(root.positionOf(key), key + ": expected '" + expected + "', got '" + actual + "'");
        }
    }
}
