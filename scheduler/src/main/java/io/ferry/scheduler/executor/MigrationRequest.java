package io.ferry.scheduler.executor;

import io.ferry.v1.MigrationLimits;
import io.ferry.v1.MigrationStrategy;

/**
 * One migration the scheduler wants: from the planner, a drain, or an operator.
 *
 * @param destination host name, or null to let the executor place the VM
 * @param reason      balance, consolidate, evacuate-temperature, evacuate-smart, drain, manual
 */
public record MigrationRequest(String vm, String destination, MigrationStrategy strategy, MigrationLimits limits,
                               String reason, String explanation, boolean urgent, String requestId) {}
