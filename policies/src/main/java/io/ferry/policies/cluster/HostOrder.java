package io.ferry.policies.cluster;

import java.util.Iterator;
import java.util.TreeSet;
import java.util.function.IntPredicate;
import java.util.function.IntToDoubleFunction;

/**
 * A set of hosts ordered by a load measure (ties by index), kept current as VMs move: the index that lets the planner find
 * the hottest and coolest hosts in O(log n) instead of scanning every host for every VM.
 */
public final class HostOrder {
    private final IntToDoubleFunction keyOf;
    private final double[] key;
    private final boolean[] member;
    private final TreeSet<Integer> set;

    /** Hosts ordered by weighted load ({@link ClusterModel#load}). */
    public HostOrder(ClusterModel model, IntPredicate include) {
        this(model, include, model::load);
    }

    /** Hosts ordered by {@code keyOf}, e.g. the utilisation of the cluster's bottleneck resource. */
    public HostOrder(ClusterModel model, IntPredicate include, IntToDoubleFunction keyOf) {
        this.keyOf = keyOf;
        // One extra slot: a sentinel used to cut the order at a load.
        key = new double[model.hostCount() + 1];
        member = new boolean[model.hostCount()];
        set = new TreeSet<>((a, b) -> {
            int c = Double.compare(key[a], key[b]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        for (int h = 0; h < model.hostCount(); h++) {
            if (include.test(h)) {
                add(h);
            }
        }
    }

    public void add(int h) {
        key[h] = keyOf.applyAsDouble(h);
        member[h] = true;
        set.add(h);
    }

    public void remove(int h) {
        if (member[h]) {
            set.remove(h);
            member[h] = false;
        }
    }

    /** Re-sorts a member host after its load changed. */
    public void update(int h) {
        if (member[h]) {
            set.remove(h);
            key[h] = keyOf.applyAsDouble(h);
            set.add(h);
        }
    }

    public boolean contains(int h) {
        return member[h];
    }

    public int size() {
        return set.size();
    }

    public Iterator<Integer> coolestFirst() {
        return set.iterator();
    }

    public Iterator<Integer> hottestFirst() {
        return set.descendingIterator();
    }

    /** Hosts whose key is at most {@code maxLoad}, hottest first: skips hosts too full to matter. */
    public Iterator<Integer> hottestFirstAtMost(double maxLoad) {
        int sentinel = key.length - 1;
        key[sentinel] = maxLoad;
        return set.headSet(sentinel, true).descendingIterator();
    }
}
