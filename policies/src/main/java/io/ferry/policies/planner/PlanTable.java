package io.ferry.policies.planner;

import java.util.Locale;

/** The plan as a human-readable table for {@code ferry plan --format table}. */
public final class PlanTable {
    private PlanTable() {
    }

    public static String render(Plan plan, boolean withCandidates) {
        StringBuilder out = new StringBuilder();
        out.append("Plan at ").append(plan.now()).append(" (policy ").append(plan.policy()).append(")\n\n");
        out.append(String.format(Locale.ROOT, "%-5s %-20s %-14s %-14s %-21s %-6s %s%n", "ORDER", "VM", "FROM", "TO",
                "REASON", "URGENT", "EXPLANATION"));
        for (Move m : plan.moves()) {
            out.append(String.format(Locale.ROOT, "%-5d %-20s %-14s %-14s %-21s %-6s %s%n", m.order(), m.vm(),
                    m.from(), m.to(), m.reason().jsonName(), m.urgent() ? "yes" : "no", m.explanation()));
        }
        if (plan.moves().isEmpty()) {
            out.append("(no moves)\n");
        }
        for (ModeAction m : plan.modes()) {
            out.append("mode  ").append(m.host()).append(" -> ").append(m.mode().jsonName()).append(": ")
                    .append(m.reason()).append('\n');
        }
        for (PowerAction p : plan.power()) {
            out.append("power ").append(p.host()).append(" -> ").append(p.action().jsonName()).append(": ")
                    .append(p.reason()).append('\n');
        }
        out.append(String.format(Locale.ROOT, "%nbefore: imbalance %.4f, hosts on %d, ~%.0f W%n",
                plan.before().imbalance(), plan.before().hostsOn(), plan.before().estimatedWatts()));
        out.append(String.format(Locale.ROOT, "after:  imbalance %.4f, hosts on %d, ~%.0f W%n",
                plan.after().imbalance(), plan.after().hostsOn(), plan.after().estimatedWatts()));
        for (String note : plan.notes()) {
            out.append("note: ").append(note).append('\n');
        }
        if (withCandidates) {
            for (CandidateReport c : plan.candidates()) {
                out.append("not moved: ").append(c.vm()).append(" on ").append(c.host()).append(" (")
                        .append(c.purpose().jsonName()).append("): ").append(c.reason()).append('\n');
            }
        }
        return out.toString();
    }
}
