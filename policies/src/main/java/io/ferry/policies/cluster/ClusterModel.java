package io.ferry.policies.cluster;

import io.ferry.policies.model.SchedulingPolicy;
import io.ferry.policies.snapshot.Host;
import io.ferry.policies.snapshot.HostMode;
import io.ferry.policies.snapshot.MigrationInFlight;
import io.ferry.policies.snapshot.PowerState;
import io.ferry.policies.snapshot.Snapshot;
import io.ferry.policies.snapshot.Vm;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-cycle state of one planning run: the snapshot indexed by number (hosts and VMs sorted by name, so runs
 * are deterministic) plus everything the plan changed so far — placements, loads, modes, power, migration counts.
 * Plugins read it; only the planner's phases change it, through {@link #move}, {@link #setMode} and
 * {@link #setPower}. Not thread-safe: one instance per planning run.
 */
public final class ClusterModel {
    private final Snapshot snapshot;
    private final SchedulingPolicy policy;
    private final Host[] hosts;
    private final Vm[] vms;
    private final Map<String, Integer> hostIndex = new HashMap<>();
    private final int[] vmHost;
    private final List<List<Integer>> vmsOnHost;
    private final double[] cpuDemandCores;
    private final double[] memoryUsedMiB;
    private final long[] memoryAllocatedMiB;
    private final HostMode[] mode;
    private final PowerState[] power;
    private final int[] migrationsTouchingHost;
    private final boolean[] vmMigrating;
    private final boolean[] hostReceived;
    private final RuleIndex rules;
    private final int largestHostCores;
    private final long largestHostMemoryMiB;
    private int migrationsInCluster;
    private int movesPlanned;

    private ClusterModel(Snapshot snapshot, SchedulingPolicy policy) {
        this.snapshot = snapshot;
        this.policy = policy;
        hosts = snapshot.hosts().stream().sorted(Comparator.comparing(Host::name)).toArray(Host[]::new);
        vms = snapshot.vms().stream().sorted(Comparator.comparing(Vm::name)).toArray(Vm[]::new);
        for (int h = 0; h < hosts.length; h++) {
            hostIndex.put(hosts[h].name(), h);
        }
        vmHost = new int[vms.length];
        vmsOnHost = new ArrayList<>(hosts.length);
        for (int h = 0; h < hosts.length; h++) {
            vmsOnHost.add(new ArrayList<>());
        }
        cpuDemandCores = new double[hosts.length];
        memoryUsedMiB = new double[hosts.length];
        memoryAllocatedMiB = new long[hosts.length];
        double[] vmCpuSum = new double[hosts.length];
        double[] vmMemorySum = new double[hosts.length];
        for (int v = 0; v < vms.length; v++) {
            int h = hostIndex.get(vms[v].host());
            vmHost[v] = h;
            vmsOnHost.get(h).add(v);
            memoryAllocatedMiB[h] += vms[v].memoryMiB();
            vmCpuSum[h] += vms[v].cpuUsageCores();
            vmMemorySum[h] += vms[v].memoryUsedMiB();
        }
        mode = new HostMode[hosts.length];
        power = new PowerState[hosts.length];
        for (int h = 0; h < hosts.length; h++) {
            Host host = hosts[h];
            // Measured host load includes the hypervisor's own use; never below what its VMs use.
            double measuredCores = host.cpuUtilization().latest().orElse(0) * host.cpuCores();
            cpuDemandCores[h] = Math.max(measuredCores, vmCpuSum[h]);
            memoryUsedMiB[h] = Math.max(host.memoryUsedMiB(), vmMemorySum[h]);
            mode[h] = host.mode();
            power[h] = host.power();
        }
        migrationsTouchingHost = new int[hosts.length];
        vmMigrating = new boolean[vms.length];
        hostReceived = new boolean[hosts.length];
        Map<String, Integer> vmIndex = new HashMap<>();
        for (int v = 0; v < vms.length; v++) {
            vmIndex.put(vms[v].name(), v);
        }
        for (MigrationInFlight m : snapshot.migrationsInFlight()) {
            migrationsInCluster++;
            countOnHost(m.from());
            if (!m.to().equals(m.from())) {
                countOnHost(m.to());
            }
            Integer v = vmIndex.get(m.vm());
            if (v != null) {
                vmMigrating[v] = true;
            }
            Integer to = hostIndex.get(m.to());
            if (to != null) {
                hostReceived[to] = true;
            }
        }
        rules = new RuleIndex(policy.rules(), hosts, vms, vmHost);
        largestHostCores = Arrays.stream(hosts).mapToInt(Host::cpuCores).max().orElse(1);
        largestHostMemoryMiB = Arrays.stream(hosts).mapToLong(Host::memoryMiB).max().orElse(1);
    }

    public int largestHostCores() {
        return largestHostCores;
    }

    public long largestHostMemoryMiB() {
        return largestHostMemoryMiB;
    }

    private void countOnHost(String name) {
        Integer h = hostIndex.get(name);
        if (h != null) {
            migrationsTouchingHost[h]++;
        }
    }

    public static ClusterModel of(Snapshot snapshot, SchedulingPolicy policy) {
        return new ClusterModel(snapshot, policy);
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    public SchedulingPolicy policy() {
        return policy;
    }

    public Instant now() {
        return snapshot.now();
    }

    public int hostCount() {
        return hosts.length;
    }

    public int vmCount() {
        return vms.length;
    }

    public Host host(int h) {
        return hosts[h];
    }

    public Vm vm(int v) {
        return vms[v];
    }

    public int hostOf(int vm) {
        return vmHost[vm];
    }

    /** The VMs currently placed on the host (live view; copy before moving VMs while iterating). */
    public List<Integer> vmsOn(int host) {
        return vmsOnHost.get(host);
    }

    public RuleIndex rules() {
        return rules;
    }

    public HostMode mode(int h) {
        return mode[h];
    }

    public PowerState power(int h) {
        return power[h];
    }

    /** Powered on and in normal mode: the hosts that run the workload and may receive VMs. */
    public boolean inService(int h) {
        return power[h] == PowerState.ON && mode[h] == HostMode.NORMAL;
    }

    public double cpuDemandCores(int h) {
        return cpuDemandCores[h];
    }

    public double memoryUsedMiB(int h) {
        return memoryUsedMiB[h];
    }

    public long memoryAllocatedMiB(int h) {
        return memoryAllocatedMiB[h];
    }

    public double cpuUtilisation(int h) {
        return cpuDemandCores[h] / hosts[h].cpuCores();
    }

    public double memoryUtilisation(int h) {
        return memoryUsedMiB[h] / hosts[h].memoryMiB();
    }

    /** Weighted utilisation with the policy's balance weights: the order in which hosts count as hot. */
    public double load(int h) {
        return policy.balance().cpuWeight() * cpuUtilisation(h)
                + policy.balance().memoryWeight() * memoryUtilisation(h);
    }

    /** The weighted load the host would have with the VM added (the VM's measured use). */
    public double loadWith(int vm, int h) {
        Vm v = vms[vm];
        double cpu = (cpuDemandCores[h] + v.cpuUsageCores()) / hosts[h].cpuCores();
        double memory = (memoryUsedMiB[h] + v.memoryUsedMiB()) / hosts[h].memoryMiB();
        return policy.balance().cpuWeight() * cpu + policy.balance().memoryWeight() * memory;
    }

    public int migrationsTouching(int h) {
        return migrationsTouchingHost[h];
    }

    public int migrationsInCluster() {
        return migrationsInCluster;
    }

    public int movesPlanned() {
        return movesPlanned;
    }

    /** In flight when the snapshot was taken, or already moved by this plan. */
    public boolean isMigrating(int vm) {
        return vmMigrating[vm];
    }

    /** The host receives a VM in flight or in this plan (so it must not be powered down). */
    public boolean receivesVms(int h) {
        return hostReceived[h];
    }

    /** Places the VM on {@code to} and counts it as a planned migration. */
    public void move(int vm, int to) {
        int from = vmHost[vm];
        relocate(vm, to);
        migrationsInCluster++;
        movesPlanned++;
        migrationsTouchingHost[from]++;
        migrationsTouchingHost[to]++;
        vmMigrating[vm] = true;
        hostReceived[to] = true;
    }

    /** Moves the VM without counting a migration: for tentative placements that are undone. */
    public void relocate(int vm, int to) {
        int from = vmHost[vm];
        Vm v = vms[vm];
        vmsOnHost.get(from).remove(Integer.valueOf(vm));
        vmsOnHost.get(to).add(vm);
        cpuDemandCores[from] -= v.cpuUsageCores();
        cpuDemandCores[to] += v.cpuUsageCores();
        memoryUsedMiB[from] -= v.memoryUsedMiB();
        memoryUsedMiB[to] += v.memoryUsedMiB();
        memoryAllocatedMiB[from] -= v.memoryMiB();
        memoryAllocatedMiB[to] += v.memoryMiB();
        rules.moved(vm, from, to);
        vmHost[vm] = to;
    }

    public void setMode(int h, HostMode value) {
        mode[h] = value;
    }

    public void setPower(int h, PowerState value) {
        power[h] = value;
    }

    /** Sorted host indexes. */
    public int[] allHosts() {
        int[] all = new int[hosts.length];
        Arrays.setAll(all, i -> i);
        return all;
    }
}
