package io.ferry.policies.planner;

import java.util.function.IntPredicate;
import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.model.PowerModel;
import io.ferry.policies.snapshot.PowerState;

/**
 * Whole-cluster measures over in-service hosts (powered on, normal mode): imbalance, utilisation and power.
 */
public final class ClusterFigures {
    private ClusterFigures() {
    }

    /**
     * Imbalance: {@code wCpu * stddev(cpu utilisation) + wMemory * stddev(memory utilisation)} over in-service hosts
     * (population standard deviation; 0 with fewer than two hosts).
     */
    public static double imbalance(ClusterModel model) {
        return imbalance(model, model::inService);
    }

    /** Imbalance over the hosts {@code include} accepts. */
    public static double imbalance(ClusterModel model, IntPredicate include) {
        int n = 0;
        double sc = 0;
        double scc = 0;
        double sm = 0;
        double smm = 0;
        for (int h = 0; h < model.hostCount(); h++) {
            if (include.test(h)) {
                double c = model.cpuUtilisation(h);
                double m = model.memoryUtilisation(h);
                n++;
                sc += c;
                scc += c * c;
                sm += m;
                smm += m * m;
            }
        }
        if (n < 2) {
            return 0;
        }
        return model.policy().balance().cpuWeight() * stddev(n, sc, scc)
                + model.policy().balance().memoryWeight() * stddev(n, sm, smm);
    }

    static double stddev(int n, double sum, double sumOfSquares) {
        double mean = sum / n;
        return Math.sqrt(Math.max(0, sumOfSquares / n - mean * mean));
    }

    /** Utilisation of the dominant resource over in-service hosts (CPU demand / cores, memory used / memory). */
    public static double utilisation(ClusterModel model) {
        Totals t = inService(model);
        return t.utilisation(t.cpuDemandCores(), t.cpuCores(), t.memoryMiB());
    }

    /** Totals over in-service hosts: their capacity and the demand they carry. */
    public record Totals(int hosts, double cpuCores, double memoryMiB, double cpuDemandCores, double memoryUsedMiB) {
        /** Dominant-resource utilisation for a given CPU demand and capacity (memory in use as measured). */
        public double utilisation(double cpuDemand, double cores, double memory) {
            return cores <= 0 || memory <= 0 ? Double.POSITIVE_INFINITY
                    : Math.max(cpuDemand / cores, memoryUsedMiB / memory);
        }
    }

    public static Totals inService(ClusterModel model) {
        int hosts = 0;
        double cores = 0;
        double memory = 0;
        double cpu = 0;
        double used = 0;
        for (int h = 0; h < model.hostCount(); h++) {
            if (model.inService(h)) {
                hosts++;
                cores += model.host(h).cpuCores();
                memory += model.host(h).memoryMiB();
                cpu += model.cpuDemandCores(h);
                used += model.memoryUsedMiB(h);
            }
        }
        return new Totals(hosts, cores, memory, cpu, used);
    }

    public static int hostsOn(ClusterModel model) {
        int on = 0;
        for (int h = 0; h < model.hostCount(); h++) {
            if (model.power(h) == PowerState.ON) {
                on++;
            }
        }
        return on;
    }

    /** Sum of the power model over all hosts: on hosts by CPU utilisation, standby hosts at standby watts. */
    public static double watts(ClusterModel model) {
        PowerModel p = model.policy().power();
        double total = 0;
        for (int h = 0; h < model.hostCount(); h++) {
            total += switch (model.power(h)) {
                case ON -> p.wattsOn(model.cpuUtilisation(h));
                case STANDBY -> p.standbyWatts();
                case OFF -> 0;
            };
        }
        return total;
    }

    static Figures of(ClusterModel model) {
        return new Figures(imbalance(model), hostsOn(model), watts(model));
    }
}
