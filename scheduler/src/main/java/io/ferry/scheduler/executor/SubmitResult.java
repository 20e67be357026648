package io.ferry.scheduler.executor;

import io.ferry.v1.MigrationRecord;
import io.grpc.Status;

/** The answer to a migration request: journaled (new or an earlier identical request), or refused with a reason. */
public sealed interface SubmitResult {
  record Accepted(MigrationRecord migration, boolean duplicate) implements SubmitResult {}

  record Rejected(Status.Code code, String reason) implements SubmitResult {}

  static SubmitResult rejected(Status.Code code, String reason) {
    return new Rejected(code, reason);
  }
}
