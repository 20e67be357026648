package io.ferry.policies.parse;

import io.ferry.policies.model.Rule;
import io.ferry.policies.model.RuleType;
import io.ferry.policies.model.TimeWindow;
import io.ferry.policies.model.Windows;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** Reads the list-shaped sections of {@code spec}: placement rules and time windows. */
final class RulesReader {
    private static final List<String> TYPES = Arrays.stream(RuleType.values()).map(RuleType::yamlName).toList();

    private RulesReader() {
    }

    static List<Rule> rules(MappingReader spec) {
        List<Rule> rules = new ArrayList<>();
        Map<String, Integer> firstLine = new HashMap<>();
        List<Node> items = spec.sequence("rules");
        for (int i = 0; i < items.size(); i++) {
            MappingReader r = MappingReader.of(spec.child("rules") + "[" + i + "]", items.get(i), spec.errors());
            rule(r, firstLine).ifPresent(rules::add);
        }
        return rules;
    }

    private static Optional<Rule> rule(MappingReader r, Map<String, Integer> firstLine) {
        Errors errors = r.errors();
        int before = errors.count();
        if (r.node() == null || !(r.node() instanceof MappingNode)) {
            if (r.node() != null && MappingReader.isNull(r.node())) {
                errors.at(r.node(), r.path() + ": empty rule: give name, type and vmSelector");
            }
            return Optional.empty();
        }
        String name = r.string("name", "");
        if (!r.has("name") || name.isBlank()) {
            errors.at(r.positionOf("name"), r.child("name") + ": a rule needs a non-empty name");
        } else if (firstLine.containsKey(name)) {
            errors.at(r.positionOf("name"), r.child("name") + ": duplicate rule name '" + name
                    + "' (first used on line " + firstLine.get(name) + ")");
        } else {
            firstLine.put(name, r.positionOf("name").getStartMark().getLine() + 1);
        }
        String typeText = r.string("type", "");
        Optional<RuleType> type = RuleType.fromYaml(typeText);
        if (!r.has("type")) {
            errors.at(r.node(), r.child("type") + ": missing rule type (expected one of " + String.join(", ", TYPES)
                    + ")");
        } else if (type.isEmpty() && errors.count() == before) {
            errors.at(r.positionOf("type"), r.child("type") + ": unknown rule type '" + typeText
                    + "' (expected one of " + String.join(", ", TYPES) + ")" + Suggestions.didYouMean(typeText, TYPES));
        }
        Map<String, String> vmSelector = r.stringMap("vmSelector");
        if (vmSelector.isEmpty()) {
            errors.at(r.positionOf("vmSelector"), r.child("vmSelector")
                    + ": empty selector: a rule must select VMs by at least one label");
        }
        Map<String, String> hostSelector = r.stringMap("hostSelector");
        if (type.orElse(null) == RuleType.VM_HOST_AFFINITY && hostSelector.isEmpty()) {
            errors.at(r.positionOf("hostSelector"), r.child("hostSelector")
                    + ": empty selector: vmHostAffinity needs hosts selected by at least one label");
        }
        if (type.orElse(null) == RuleType.VM_ANTI_AFFINITY && r.has("hostSelector")) {
            errors.at(r.positionOf("hostSelector"), r.child("hostSelector")
                    + ": hostSelector applies only to vmHostAffinity rules");
        }
        r.finish();
        if (errors.count() != before) {
            return Optional.empty();
        }
        return Optional.of(new Rule(name, type.orElseThrow(), vmSelector, hostSelector));
    }

    static Windows windows(MappingReader r) {
        ZoneId zone = Windows.ANY_TIME.timezone();
        String zoneText = r.string("timezone", "UTC");
        try {
            zone = ZoneId.of(zoneText);
        } catch (DateTimeException e) {
            r.errors().at(r.positionOf("timezone"), r.child("timezone") + ": unknown timezone '" + zoneText + "'"
                    + Suggestions.didYouMean(zoneText, ZoneId.getAvailableZoneIds()));
        }
        List<TimeWindow> windows = new ArrayList<>();
        List<Node> items = r.sequence("nonUrgent");
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            String where = r.child("nonUrgent") + "[" + i + "]";
            Optional<TimeWindow> window = item instanceof ScalarNode s ? TimeWindow.parse(s.getValue())
                    : Optional.empty();
            if (window.isPresent()) {
                windows.add(window.get());
            } else {
                String text = item instanceof ScalarNode s ? "'" + s.getValue() + "'" : MappingReader.describe(item);
                r.errors().at(item, where + ": bad window " + text
                        + ": expected DAYS HH:MM-HH:MM, e.g. 'Mon-Fri 20:00-06:00' or 'Sat,Sun 00:00-24:00'");
            }
        }
        r.finish();
        return new Windows(zone, windows);
    }
}
