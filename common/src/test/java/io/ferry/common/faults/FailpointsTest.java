package io.ferry.common.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FailpointsTest {
  @TempDir Path dir;

  private static long millis(Runnable r) {
    long t0 = System.nanoTime();
    r.run();
    return (System.nanoTime() - t0) / 1_000_000;
  }

  @Test
  void armedPointHoldsMatchingSubjectsAndRecordsTheHit() throws Exception {
    Path file = dir.resolve("failpoints");
    Failpoints fp = Failpoints.fromFile(file);
    assertThat(millis(() -> fp.hit("migration.source.commit", "vm-1"))).as("no file: inert").isLessThan(150);

    Files.writeString(file, "# hold commits of chaos VMs\nmigration.source.commit vm-* sleep 300\nbad line\n");
    assertThat(millis(() -> fp.hit("migration.source.commit", "web-1"))).as("other subject").isLessThan(150);
    assertThat(millis(() -> fp.hit("migration.source.prepare", "vm-1"))).as("other point").isLessThan(150);
    assertThat(millis(() -> fp.hit("migration.source.commit", "vm-1"))).isGreaterThanOrEqualTo(300);
    assertThat(Files.readString(dir.resolve("failpoints.hits")))
        .startsWith("migration.source.commit vm-1 " + ProcessHandle.current().pid());

    Files.delete(file);
    assertThat(millis(() -> fp.hit("migration.source.commit", "vm-1"))).as("disarmed").isLessThan(150);
  }

  @Test
  void holdEndsWhenThePointIsDisarmed() throws Exception {
    Path file = dir.resolve("failpoints");
    Files.writeString(file, "migration.source.switchover vm-1 sleep 60000\n");
    Failpoints fp = Failpoints.fromFile(file);
    Thread disarm = new Thread(() -> {
      try {
        Thread.sleep(300);
        Files.delete(file);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    disarm.start();
    long held = millis(() -> fp.hit("migration.source.switchover", "vm-1"));
    disarm.join();
    assertThat(held).isBetween(300L, 5_000L);
  }

  @Test
  void noneIsInert() {
    assertThat(millis(() -> Failpoints.NONE.hit("anything", "anyone"))).isLessThan(50);
  }
}
