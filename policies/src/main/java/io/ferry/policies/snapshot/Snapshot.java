package io.ferry.policies.snapshot;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A consistent view of the cluster at {@link #now()}: the only input (with the policy) the planner reads. Names
 * are unique and every VM runs on a listed host.
 */
public record Snapshot(Instant now, List<Host> hosts, List<Vm> vms, List<MigrationInFlight> migrationsInFlight) {

    public Snapshot {
        Objects.requireNonNull(now, "now");
        hosts = List.copyOf(hosts);
        vms = List.copyOf(vms);
        migrationsInFlight = List.copyOf(migrationsInFlight);
        Set<String> hostNames = new HashSet<>();
        for (Host h : hosts) {
            if (!hostNames.add(h.name())) {
                throw new IllegalArgumentException("duplicate host " + h.name());
            }
        }
        Set<String> vmNames = new HashSet<>();
        for (Vm vm : vms) {
            if (!vmNames.add(vm.name())) {
                throw new IllegalArgumentException("duplicate vm " + vm.name());
            }
            if (!hostNames.contains(vm.host())) {
                throw new IllegalArgumentException("vm " + vm.name() + " runs on unknown host " + vm.host());
            }
        }
    }
}
