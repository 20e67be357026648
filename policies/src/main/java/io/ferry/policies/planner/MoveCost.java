package io.ferry.policies.planner;

import io.ferry.policies.model.MigrationSettings;
import io.ferry.policies.snapshot.Vm;
import java.util.Locale;

/**
 * What a migration costs, from memory in use, dirty rate and (with storage) local disks: pre-copy sends memory at
 * {@code bandwidth} while the guest dirties pages at {@code dirtyRate}, so memory takes about
 * {@code memoryUsed / (bandwidth - dirtyRate)}; a migration with storage first copies the disks at {@code bandwidth}.
 * A VM dirtying faster than the link does not converge without post-copy. The cost factor (transfer seconds / 60,
 * at most 1) raises the improvement a non-urgent move must bring: {@code minImprovement * (1 + costFactor)}.
 */
record MoveCost(double transferSeconds, boolean converges, double factor, long diskMiB) {
    private static final double FACTOR_SECONDS = 60;

    static MoveCost of(Vm vm, MigrationSettings migration) {
        double bandwidth = migration.bandwidthMiBps();
        double effective = bandwidth - vm.dirtyRateMiBps();
        boolean converges = effective > 0 || migration.allowPostCopy();
        long disks = migration.withStorage() ? vm.diskMiB() : 0;
        // Post-copy finishes in about one pass of memory at full bandwidth.
        double seconds = (effective > 0 ? vm.memoryUsedMiB() / effective : vm.memoryUsedMiB() / bandwidth)
                + disks / bandwidth;
        return new MoveCost(seconds, converges, Math.min(1, seconds / FACTOR_SECONDS), disks);
    }

    String describe(Vm vm) {
        return String.format(Locale.ROOT, "cost: %d MiB at %.1f MiB/s dirty%s, ~%.0f s transfer", vm.memoryUsedMiB(),
                vm.dirtyRateMiBps(), diskMiB > 0 ? " + " + diskMiB + " MiB of disks" : "", transferSeconds);
    }
}
