package io.ferry.hostagent.migration;

import com.google.protobuf.Timestamp;
import io.grpc.StatusRuntimeException;
import java.time.Instant;

/** Small conversions between the engine's values and what travels between agents. */
final class Wire {
  private Wire() {}

  static Timestamp timestamp(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }

  static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  /** A peer's error for a log line or an outcome reason: its status code and description. */
  static String describe(StatusRuntimeException e) {
    return e.getStatus().getCode() + (e.getStatus().getDescription() == null ? ""
        : ": " + e.getStatus().getDescription());
  }
}
