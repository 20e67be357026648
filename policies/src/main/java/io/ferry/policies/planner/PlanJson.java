package io.ferry.policies.planner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The plan as JSON: {@code moves, power, modes, before, after, notes} and, when explained, {@code candidates}. */
public final class PlanJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private PlanJson() {
    }

    public static String write(Plan plan, boolean withCandidates) {
        try {
            return MAPPER.writeValueAsString(tree(plan, withCandidates)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("serialising a JSON tree cannot fail", e);
        }
    }

    public static ObjectNode tree(Plan plan, boolean withCandidates) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("now", plan.now().toString()).put("policy", plan.policy());
        ArrayNode moves = root.putArray("moves");
        for (Move m : plan.moves()) {
            moves.addObject().put("order", m.order()).put("vm", m.vm()).put("from", m.from()).put("to", m.to())
                    .put("reason", m.reason().jsonName()).put("urgent", m.urgent())
                    .put("explanation", m.explanation());
        }
        ArrayNode power = root.putArray("power");
        for (PowerAction p : plan.power()) {
            power.addObject().put("host", p.host()).put("action", p.action().jsonName()).put("reason", p.reason());
        }
        ArrayNode modes = root.putArray("modes");
        for (ModeAction m : plan.modes()) {
            modes.addObject().put("host", m.host()).put("mode", m.mode().jsonName()).put("reason", m.reason());
        }
        figures(root.putObject("before"), plan.before());
        figures(root.putObject("after"), plan.after());
        ArrayNode notes = root.putArray("notes");
        plan.notes().forEach(notes::add);
        if (withCandidates) {
            ArrayNode candidates = root.putArray("candidates");
            for (CandidateReport c : plan.candidates()) {
                candidates.addObject().put("vm", c.vm()).put("host", c.host()).put("purpose", c.purpose().jsonName())
                        .put("reason", c.reason());
            }
        }
        return root;
    }

    private static void figures(ObjectNode node, Figures f) {
        node.put("imbalance", Math.round(f.imbalance() * 10000) / 10000.0).put("hostsOn", f.hostsOn())
                .put("estimatedWatts", Math.round(f.estimatedWatts() * 10) / 10.0);
    }
}
