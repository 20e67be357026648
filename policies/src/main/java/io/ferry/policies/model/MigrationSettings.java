package io.ferry.policies.model;

import java.time.Duration;
import java.util.Objects;

/**
 * How each migration runs.
 *
 * @param maxDowntime              switchover pause target
 * @param bandwidthBytesPerSecond  bandwidth cap per migration
 * @param withStorage              copy each VM's local disks along with its memory (hosts without shared storage);
 *                                 false: the destination opens the same disk paths (shared storage)
 */
public record MigrationSettings(MigrationStrategy strategy, Duration maxDowntime, long bandwidthBytesPerSecond,
                                boolean encrypted, boolean allowPostCopy, boolean withStorage) {

    public static final MigrationSettings DEFAULTS = new MigrationSettings(MigrationStrategy.AUTO,
            Duration.ofMillis(300), 1L << 30, true, true, false);

    public MigrationSettings {
        Objects.requireNonNull(strategy, "migration.strategy");
        Require.positive("migration.maxDowntime", maxDowntime);
        Require.inRange("migration.bandwidth", bandwidthBytesPerSecond, 1L << 20, Long.MAX_VALUE);
        if (strategy == MigrationStrategy.POST_COPY && !allowPostCopy) {
            throw new IllegalArgumentException("migration.strategy post-copy needs allowPostCopy: true");
        }
    }

    public double bandwidthMiBps() {
        return bandwidthBytesPerSecond / (1024.0 * 1024.0);
    }
}
