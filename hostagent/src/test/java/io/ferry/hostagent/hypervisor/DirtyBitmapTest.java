package io.ferry.hostagent.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class DirtyBitmapTest {
  @Test
  void snapshotTakesEveryBitAndLeavesTheMapEmpty() {
    DirtyBitmap b = new DirtyBitmap(200);
    b.set(0);
    b.set(63);
    b.set(64);
    b.set(199);

    DirtyBitmap snap = b.snapshotAndClear();

    assertThat(snap.cardinality()).isEqualTo(4);
    assertThat(snap.nextSetBit(1)).isEqualTo(63);
    assertThat(snap.nextSetBit(65)).isEqualTo(199);
    assertThat(b.cardinality()).isZero();
  }

  @Test
  void setAllStopsAtTheSizeAndRoundTripsThroughBytes() {
    DirtyBitmap b = new DirtyBitmap(70);
    b.setAll();
    assertThat(b.cardinality()).isEqualTo(70);
    DirtyBitmap copy = DirtyBitmap.fromByteArray(b.toByteArray(), 70);
    assertThat(copy.cardinality()).isEqualTo(70);
    assertThat(copy.nextSetBit(69)).isEqualTo(69);
  }

  @Test
  void concurrentWritersLoseNoBitAcrossSnapshots() {
    DirtyBitmap b = new DirtyBitmap(1 << 16);
    DirtyBitmap seen = new DirtyBitmap(1 << 16);
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      for (int i = 0; i < 1 << 16; i++) {
        b.set(i);
      }
    });
    while (!writer.isDone()) {
      seen.or(b.snapshotAndClear());
    }
    seen.or(b.snapshotAndClear());
    assertThat(seen.cardinality()).isEqualTo(1 << 16);
  }
}
