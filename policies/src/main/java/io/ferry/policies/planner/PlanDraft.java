package io.ferry.policies.planner;

import io.ferry.policies.snapshot.PowerState;
import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.snapshot.HostMode;
import java.util.ArrayList;
import java.util.List;

/** The plan being built: phases record moves and actions here, which also applies them to the model. */
final class PlanDraft {
    private final ClusterModel model;
    private final PlannerOptions options;
    private final List<Move> moves = new ArrayList<>();
    private final List<PowerAction> power = new ArrayList<>();
    private final List<ModeAction> modes = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<CandidateReport> candidates = new ArrayList<>();
    private boolean evacuationLacksCapacity;

    PlanDraft(ClusterModel model, PlannerOptions options) {
        this.model = model;
        this.options = options;
    }

    ClusterModel model() {
        return model;
    }

    void move(int vm, int to, MoveReason reason, String explanation) {
        String from = model.host(model.hostOf(vm)).name();
        model.move(vm, to);
        moves.add(new Move(moves.size() + 1, model.vm(vm).name(), from, model.host(to).name(), reason,
                reason.urgent(), explanation));
    }

    void mode(int host, HostMode mode, String reason) {
        model.setMode(host, mode);
        modes.add(new ModeAction(model.host(host).name(), mode, reason));
    }

    void power(int host, PowerAction.Type action, String reason) {
        model.setPower(host, action == PowerAction.Type.STANDBY ? PowerState.STANDBY : PowerState.ON);
        power.add(new PowerAction(model.host(host).name(), action, reason));
    }

    /** An urgent move found no destination: the power phase may wake a host for it. */
    void evacuationLacksCapacity() {
        evacuationLacksCapacity = true;
    }

    boolean isEvacuationShortOfCapacity() {
        return evacuationLacksCapacity;
    }

    void note(String text) {
        notes.add(text);
    }

    boolean explaining() {
        return options.explainCandidates();
    }

    void candidate(int vm, MoveReason purpose, String reason) {
        if (options.explainCandidates()) {
            candidates.add(new CandidateReport(model.vm(vm).name(), model.host(model.hostOf(vm)).name(), purpose,
                    reason));
        }
    }

    List<Move> moves() {
        return moves;
    }

    List<PowerAction> powerActions() {
        return power;
    }

    List<ModeAction> modeActions() {
        return modes;
    }

    List<String> notes() {
        return notes;
    }

    List<CandidateReport> candidates() {
        return candidates;
    }
}
