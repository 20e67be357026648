package io.ferry.policies.planner;

import java.time.Instant;
import java.util.List;

/**
 * The planner's output: ordered moves, power and mode actions, the figures before and after, notes on why phases
 * did or did not act, and (on request) the candidates that were not moved. Serialised by {@link PlanJson}.
 */
public record Plan(
        Instant now,
        String policy,
        List<Move> moves,
        List<PowerAction> power,
        List<ModeAction> modes,
        Figures before,
        Figures after,
        List<String> notes,
        List<CandidateReport> candidates) {

    public Plan {
        moves = List.copyOf(moves);
        power = List.copyOf(power);
        modes = List.copyOf(modes);
        notes = List.copyOf(notes);
        candidates = List.copyOf(candidates);
    }

    public boolean isEmpty() {
        return moves.isEmpty() && power.isEmpty() && modes.isEmpty();
    }
}
