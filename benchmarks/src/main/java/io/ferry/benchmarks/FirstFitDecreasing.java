package io.ferry.benchmarks;

import io.ferry.policies.snapshot.Host;
import io.ferry.policies.snapshot.Snapshot;
import io.ferry.policies.snapshot.Vm;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Offline First-Fit-Decreasing packing of all VMs onto identical hosts (the first host's size), each bin capped at
 * {@code cap} of its cores and memory in use and at its memory capacity: the classic reference for consolidation.
 */
final class FirstFitDecreasing {
    private FirstFitDecreasing() {
    }

    static int bins(Snapshot snapshot, double cap) {
        Host model = snapshot.hosts().get(0);
        double cores = model.cpuCores();
        double memory = model.memoryMiB();
        List<Vm> vms = new ArrayList<>(snapshot.vms());
        vms.sort(Comparator.comparingDouble((Vm v) -> -Math.max(v.cpuUsageCores() / cores,
                v.memoryUsedMiB() / memory)));
        List<double[]> bins = new ArrayList<>(); // cpu used, memory used, memory allocated
        for (Vm v : vms) {
            boolean placed = false;
            for (double[] b : bins) {
                if (b[0] + v.cpuUsageCores() <= cap * cores && b[1] + v.memoryUsedMiB() <= cap * memory
                        && b[2] + v.memoryMiB() <= memory) {
                    b[0] += v.cpuUsageCores();
                    b[1] += v.memoryUsedMiB();
                    b[2] += v.memoryMiB();
                    placed = true;
                    break;
                }
            }
            if (!placed) {
                bins.add(new double[] {v.cpuUsageCores(), v.memoryUsedMiB(), v.memoryMiB()});
            }
        }
        return bins.size();
    }
}
