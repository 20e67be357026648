package io.ferry.policies.planner;

import io.ferry.policies.snapshot.Host;
import io.ferry.policies.snapshot.PowerState;
import io.ferry.policies.snapshot.Sample;
import io.ferry.policies.snapshot.Snapshot;
import io.ferry.policies.snapshot.TimeSeries;
import io.ferry.policies.snapshot.Vm;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The snapshot as it would be once a plan has run: VMs on their new hosts (migrated at {@code now}), host load
 * shifted by the moved VMs' measured use (a sample at {@code now} replaces the latest), modes and power applied.
 * Used by tests, benchmarks and "what if" tooling; the real cluster is what agents report.
 */
public final class PlanReplay {
    private PlanReplay() {
    }

    public static Snapshot apply(Snapshot snapshot, Plan plan) {
        Map<String, Vm> vms = new HashMap<>();
        snapshot.vms().forEach(v -> vms.put(v.name(), v));
        Map<String, Double> cpuDelta = new HashMap<>();
        Map<String, Long> memoryDelta = new HashMap<>();
        for (Move m : plan.moves()) {
            Vm vm = vms.get(m.vm());
            vms.put(vm.name(), vm.onHost(m.to(), snapshot.now()));
            cpuDelta.merge(m.from(), -vm.cpuUsageCores(), Double::sum);
            cpuDelta.merge(m.to(), vm.cpuUsageCores(), Double::sum);
            memoryDelta.merge(m.from(), -vm.memoryUsedMiB(), Long::sum);
            memoryDelta.merge(m.to(), vm.memoryUsedMiB(), Long::sum);
        }
        Map<String, ModeAction> modes = new HashMap<>();
        plan.modes().forEach(m -> modes.put(m.host(), m));
        Map<String, PowerAction> power = new HashMap<>();
        plan.power().forEach(p -> power.put(p.host(), p));
        List<Host> hosts = new ArrayList<>();
        for (Host h : snapshot.hosts()) {
            Host out = h;
            if (cpuDelta.containsKey(h.name())) {
                double util = Math.max(0, h.cpuUtilization().latest().orElse(0)
                        + cpuDelta.get(h.name()) / h.cpuCores());
                List<Sample> samples = new ArrayList<>(h.cpuUtilization().samples().stream()
                        .filter(s -> s.at().isBefore(snapshot.now())).toList());
                samples.add(new Sample(snapshot.now(), util));
                out = out.withLoad(new TimeSeries(samples), Math.max(0, h.memoryUsedMiB()
                        + memoryDelta.getOrDefault(h.name(), 0L)));
            }
            if (modes.containsKey(h.name())) {
                out = out.withMode(modes.get(h.name()).mode());
            }
            if (power.containsKey(h.name())) {
                out = out.withPower(power.get(h.name()).action() == PowerAction.Type.STANDBY ? PowerState.STANDBY
                        : PowerState.ON);
            }
            hosts.add(out);
        }
        return new Snapshot(snapshot.now(), hosts, snapshot.vms().stream().map(v -> vms.get(v.name())).toList(),
                List.of());
    }
}
