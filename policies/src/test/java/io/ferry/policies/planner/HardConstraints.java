package io.ferry.policies.planner;

import io.ferry.policies.model.Rule;
import io.ferry.policies.model.RuleType;
import io.ferry.policies.model.SchedulingPolicy;
import io.ferry.policies.snapshot.Host;
import io.ferry.policies.snapshot.HostMode;
import io.ferry.policies.snapshot.MigrationInFlight;
import io.ferry.policies.snapshot.PowerState;
import io.ferry.policies.snapshot.Snapshot;
import io.ferry.policies.snapshot.Vm;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a plan against the hard constraints by replaying it on the snapshot, written independently of the
 * planner's plugins so that a bug in a plugin cannot hide itself. Returns the violations found.
 */
final class HardConstraints {
    private static final double EPSILON = 1e-6;

    private HardConstraints() {
    }

    static List<String> violations(Snapshot s, SchedulingPolicy p, Plan plan) {
        List<String> out = new ArrayList<>();
        Map<String, Host> hosts = new HashMap<>();
        s.hosts().forEach(h -> hosts.put(h.name(), h));
        Map<String, Vm> vms = new HashMap<>();
        s.vms().forEach(v -> vms.put(v.name(), v));
        Map<String, String> placement = new HashMap<>();
        s.vms().forEach(v -> placement.put(v.name(), v.host()));
        Set<String> quarantined = new HashSet<>();
        plan.modes().forEach(m -> quarantined.add(m.host()));
        Set<String> inFlight = new HashSet<>();
        Map<String, Integer> touching = new HashMap<>();
        for (MigrationInFlight m : s.migrationsInFlight()) {
            inFlight.add(m.vm());
            touching.merge(m.from(), 1, Integer::sum);
            if (!m.to().equals(m.from())) {
                touching.merge(m.to(), 1, Integer::sum);
            }
        }
        Map<String, Double> cpu = new HashMap<>();
        Map<String, Long> memory = new HashMap<>();
        for (Host h : s.hosts()) {
            double vmCpu = s.vms().stream().filter(v -> v.host().equals(h.name())).mapToDouble(Vm::cpuUsageCores).sum();
            cpu.put(h.name(), Math.max(h.cpuUtilization().latest().orElse(0) * h.cpuCores(), vmCpu));
            memory.put(h.name(), s.vms().stream().filter(v -> v.host().equals(h.name())).mapToLong(Vm::memoryMiB).sum());
        }
        Set<String> moved = new HashSet<>();
        Set<String> received = new HashSet<>();
        boolean windowOpen = p.windows().allowsNonUrgentAt(s.now());
        for (Move m : plan.moves()) {
            Vm vm = vms.get(m.vm());
            Host to = hosts.get(m.to());
            String where = "move " + m.order() + " " + m.vm() + " " + m.from() + "->" + m.to() + ": ";
            if (!moved.add(m.vm())) {
                out.add(where + "VM moved twice in one plan");
            }
            if (inFlight.contains(m.vm())) {
                out.add(where + "VM already migrating");
            }
            if (!placement.get(m.vm()).equals(m.from())) {
                out.add(where + "VM is not on " + m.from());
            }
            if (to.power() != PowerState.ON || to.mode() != HostMode.NORMAL || quarantined.contains(to.name())) {
                out.add(where + "destination not in service");
            }
            if (!to.cpuFeatures().containsAll(vm.cpuFeatures())) {
                out.add(where + "CPU features missing");
            }
            if (!m.urgent() && !windowOpen) {
                out.add(where + "non-urgent move outside windows");
            }
            if (!m.urgent() && vm.lastMigratedAt() != null
                    && s.now().isBefore(vm.lastMigratedAt().plus(p.limits().vmCooldown()))) {
                out.add(where + "VM in cooldown");
            }
            for (Rule r : p.rules()) {
                if (r.type() == RuleType.VM_HOST_AFFINITY && Rule.matches(r.vmSelector(), vm.labels())
                        && !Rule.matches(r.hostSelector(), to.labels())) {
                    out.add(where + "host affinity " + r.name());
                }
            }
            placement.put(m.vm(), m.to());
            cpu.merge(m.from(), -vm.cpuUsageCores(), Double::sum);
            cpu.merge(m.to(), vm.cpuUsageCores(), Double::sum);
            memory.merge(m.from(), -vm.memoryMiB(), Long::sum);
            memory.merge(m.to(), vm.memoryMiB(), Long::sum);
            touching.merge(m.from(), 1, Integer::sum);
            touching.merge(m.to(), 1, Integer::sum);
            received.add(m.to());
            if (memory.get(m.to()) > to.memoryMiB()) {
                out.add(where + "memory over capacity: " + memory.get(m.to()) + " > " + to.memoryMiB());
            }
            if (cpu.get(m.to()) > p.balance().maxHostUtilization() * to.cpuCores() + EPSILON) {
                out.add(where + "CPU over maxHostUtilization: " + cpu.get(m.to()));
            }
        }
        for (String h : received) {
            for (Rule r : p.rules()) {
                if (r.type() == RuleType.VM_ANTI_AFFINITY) {
                    long n = placement.entrySet().stream().filter(e -> e.getValue().equals(h))
                            .filter(e -> Rule.matches(r.vmSelector(), vms.get(e.getKey()).labels())).count();
                    boolean receivedMatching = plan.moves().stream().anyMatch(m -> m.to().equals(h)
                            && Rule.matches(r.vmSelector(), vms.get(m.vm()).labels()));
                    if (receivedMatching && n > 1) {
                        out.add("anti-affinity " + r.name() + " broken on " + h + ": " + n + " VMs");
                    }
                }
            }
        }
        if (plan.moves().size() > p.limits().maxMovesPerRound()) {
            out.add("more moves than maxMovesPerRound");
        }
        // A planned move needs a free slot when it is added, so any host or cluster it touches ends within the caps.
        if (!plan.moves().isEmpty()
                && plan.moves().size() + s.migrationsInFlight().size() > p.limits().maxConcurrentMigrations()) {
            out.add("more migrations than maxConcurrentMigrations");
        }
        for (Move m : plan.moves()) {
            for (String h : List.of(m.from(), m.to())) {
                if (touching.get(h) > p.limits().maxConcurrentPerHost()) {
                    out.add("host " + h + " exceeds maxConcurrentPerHost: " + touching.get(h));
                }
            }
        }
        for (PowerAction a : plan.power()) {
            if (a.action() == PowerAction.Type.STANDBY && placement.containsValue(a.host())) {
                out.add("standby for " + a.host() + " which still runs VMs");
            }
        }
        return out;
    }
}
