package io.ferry.policies.cluster;

import java.util.Iterator;
import java.util.TreeSet;
import java.util.function.IntPredicate;

/**
 * A set of hosts ordered by load (ties by index), kept current as VMs move: the index that lets the planner find
 * the hottest and coolest hosts in O(log n) instead of scanning every host for every VM.
 */
public final class HostOrder {
    private final ClusterModel model;
    private final double[] key;
    private final boolean[] member;
    private final TreeSet<Integer> set;

    public HostOrder(ClusterModel model, IntPredicate include) {
        this.model = model;
        key = new double[model.hostCount()];
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
        key[h] = model.load(h);
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
            key[h] = model.load(h);
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
}
