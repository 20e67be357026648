package io.ferry.policies.plugins;

import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.model.BalanceSettings;
import io.ferry.policies.snapshot.Host;
import io.ferry.policies.snapshot.Vm;

/** Weighted utilisation a host would have after receiving a VM. */
final class LoadAfter {
    private LoadAfter() {
    }

    static double of(ClusterModel model, int vm, int host) {
        Vm v = model.vm(vm);
        Host h = model.host(host);
        BalanceSettings b = model.policy().balance();
        double cpu = (model.cpuDemandCores(host) + v.cpuUsageCores()) / h.cpuCores();
        double memory = (model.memoryUsedMiB(host) + v.memoryUsedMiB()) / h.memoryMiB();
        return b.cpuWeight() * cpu + b.memoryWeight() * memory;
    }
}
