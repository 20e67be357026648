package io.ferry.policies.plugins;

import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.snapshot.Host;
import io.ferry.policies.snapshot.Vm;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The destination must offer every CPU feature the VM uses, and run a hypervisor at least as new as the source's
 * (a migration stream cannot go to an older QEMU). Unknown versions are not compared.
 */
public final class CpuCompatibilityFilter implements FilterPlugin {
    public static final String NAME = "cpu-compatibility";
    private static final Pattern DOT = Pattern.compile("\\.");
    private static final Pattern DIGITS = Pattern.compile("\\d+");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public FilterResult filter(ClusterModel model, int vm, int host) {
        Vm v = model.vm(vm);
        Host h = model.host(host);
        if (!h.cpuFeatures().containsAll(v.cpuFeatures())) {
            Set<String> missing = new TreeSet<>(v.cpuFeatures());
            missing.removeAll(h.cpuFeatures());
            return FilterResult.reject(NAME, h.name() + " lacks CPU features " + missing);
        }
        String from = model.host(model.hostOf(vm)).hypervisorVersion();
        String to = h.hypervisorVersion();
        // Equal versions (the common case) skip the parse: this runs for every candidate destination.
        if (from != null && to != null && !from.equals(to) && compareVersions(to, from) < 0) {
            return FilterResult.reject(NAME, h.name() + " hypervisor " + to + " older than source " + from);
        }
        return FilterResult.PASS;
    }

    /** Compares dotted numeric versions ({@code 7.10.0 > 7.2.1}); non-numeric parts compare as text. */
    static int compareVersions(String a, String b) {
        String[] pa = DOT.split(a);
        String[] pb = DOT.split(b);
        for (int i = 0; i < Math.max(pa.length, pb.length); i++) {
            String x = i < pa.length ? pa[i] : "0";
            String y = i < pb.length ? pb[i] : "0";
            boolean numeric = DIGITS.matcher(x).matches() && DIGITS.matcher(y).matches();
            int c = numeric ? Long.compare(Long.parseLong(x), Long.parseLong(y)) : x.compareTo(y);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}
