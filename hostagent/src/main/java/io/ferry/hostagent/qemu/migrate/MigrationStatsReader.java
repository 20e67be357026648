package io.ferry.hostagent.qemu.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.util.Durations;
import io.ferry.v1.MigrationStats;

/**
 * Turns QEMU's {@code query-migrate} answers into {@link MigrationStats}. QEMU clears the dirty-page rate once a
 * migration ends, so the highest rate seen while polling is kept.
 */
final class MigrationStatsReader {
  private double maxDirtyBytesPerSecond;
  private long diskBytes;

  /** Feeds a sample taken while the migration runs. */
  void sample(JsonNode queryMigrate) {
    JsonNode ram = queryMigrate.path("ram");
    double rate = ram.path("dirty-pages-rate").asDouble() * ram.path("page-size").asLong(4096);
    maxDirtyBytesPerSecond = Math.max(maxDirtyBytesPerSecond, rate);
  }

  void diskBytes(long bytes) {
    diskBytes = bytes;
  }

  /** Stats from the final {@code query-migrate} answer. */
  MigrationStats stats(JsonNode queryMigrate) {
    sample(queryMigrate);
    JsonNode ram = queryMigrate.path("ram");
    long totalMs = queryMigrate.path("total-time").asLong();
    long ramBytes = ram.path("transferred").asLong();
    MigrationStats.Builder b = MigrationStats.newBuilder()
        .setTotal(Durations.fromMillis(totalMs))
        .setBytesRam(ramBytes)
        .setBytesDisk(diskBytes)
        .setBytesTotal(ramBytes + diskBytes)
        .setPagesZeroSkipped(ram.path("duplicate").asLong())
        .setBytesDeltaEncoded(queryMigrate.path("xbzrle-cache").path("bytes").asLong())
        .setRounds((int) ram.path("dirty-sync-count").asLong())
        .setDirtyRateBytesPerSecond(maxDirtyBytesPerSecond)
        .setPostCopyFaults(ram.path("postcopy-requests").asLong())
        .setThroughputBytesPerSecond(ram.path("mbps").asDouble() * 1e6 / 8);
    if (queryMigrate.has("downtime")) {
      b.setReportedDowntime(Durations.fromMillis(queryMigrate.get("downtime").asLong()));
    }
    return b.build();
  }
}
