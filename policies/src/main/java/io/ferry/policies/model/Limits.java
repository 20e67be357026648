package io.ferry.policies.model;

import java.time.Duration;

/**
 * Storm protection.
 *
 * @param maxConcurrentMigrations migrations in flight at once in the cluster, counting ones already running
 * @param maxConcurrentPerHost    migrations in flight at once touching one host (as source or destination)
 * @param maxMovesPerRound        moves one planning round may order
 * @param vmCooldown              a VM migrated less than this long ago is not moved again by non-urgent moves
 */
public record Limits(int maxConcurrentMigrations, int maxConcurrentPerHost, int maxMovesPerRound,
                     Duration vmCooldown) {

    public static final Limits DEFAULTS = new Limits(8, 2, 10, Duration.ofMinutes(30));

    public Limits {
        Require.inRange("limits.maxConcurrentMigrations", maxConcurrentMigrations, 1, 100_000);
        Require.inRange("limits.maxConcurrentPerHost", maxConcurrentPerHost, 1, 100_000);
        Require.inRange("limits.maxMovesPerRound", maxMovesPerRound, 1, 100_000);
        if (maxConcurrentPerHost > maxConcurrentMigrations) {
            throw new IllegalArgumentException("limits.maxConcurrentPerHost (" + maxConcurrentPerHost
                    + ") must not exceed maxConcurrentMigrations (" + maxConcurrentMigrations + ")");
        }
        Require.notNegative("limits.vmCooldown", vmCooldown);
    }
}
