package io.ferry.hostagent.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One asynchronous QMP event ({@code MIGRATION}, {@code STOP}, {@code RESUME}, {@code BLOCK_JOB_READY}, ...).
 *
 * @param emittedAt when QEMU emitted it (its own wall-clock {@code timestamp}), or {@code receivedAt} without one
 */
public record QmpEvent(String name, JsonNode data, Instant receivedAt, Instant emittedAt) {
  /** A text field of {@code data}, or "" when absent (e.g. {@code status} of a MIGRATION event). */
  public String text(String field) {
    JsonNode v = data == null ? null : data.get(field);
    return v == null ? "" : v.asText();
  }
}
