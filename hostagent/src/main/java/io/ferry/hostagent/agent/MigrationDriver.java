package io.ferry.hostagent.agent;

import io.ferry.v1.MigrateVmRequest;
import io.ferry.v1.MigrationStatus;
import java.util.List;
import java.util.Optional;

/**
 * What the agent's command API needs from the migration engine. Implementations must be idempotent:
 * starting a migration id that is already known returns its current status and starts nothing.
 */
public interface MigrationDriver {
  /** Starts migrating a VM that runs here (this agent is the source), or returns the known status. */
  MigrationStatus start(MigrateVmRequest request);

  Optional<MigrationStatus> status(String migrationId);

  /** Cancels before the commit point: the VM keeps running here. Returns the status after the request. */
  Optional<MigrationStatus> cancel(String migrationId, String reason);

  /** Every migration this agent takes part in (as source or destination), including recently finished ones. */
  List<MigrationStatus> list();

  /** The agent's migration engine as its command API sees it. */
  static MigrationDriver of(io.ferry.hostagent.migration.MigrationEngine engine) {
    return new MigrationDriver() {
      @Override
      public MigrationStatus start(MigrateVmRequest request) {
        return engine.start(request);
      }

      @Override
      public Optional<MigrationStatus> status(String migrationId) {
        return engine.status(migrationId);
      }

      @Override
      public Optional<MigrationStatus> cancel(String migrationId, String reason) {
        return engine.cancel(migrationId, reason);
      }

      @Override
      public List<MigrationStatus> list() {
        return engine.list();
      }
    };
  }

  /** An agent without a migration engine refuses every migration with this reason. */
  static MigrationDriver unsupported(String reason) {
    return new MigrationDriver() {
      @Override
      public MigrationStatus start(MigrateVmRequest request) {
        throw io.grpc.Status.FAILED_PRECONDITION.withDescription(reason).asRuntimeException();
      }

      @Override
      public Optional<MigrationStatus> status(String migrationId) {
        return Optional.empty();
      }

      @Override
      public Optional<MigrationStatus> cancel(String migrationId, String why) {
        return Optional.empty();
      }

      @Override
      public List<MigrationStatus> list() {
        return List.of();
      }
    };
  }
}
