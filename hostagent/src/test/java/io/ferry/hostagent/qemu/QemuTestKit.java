package io.ferry.hostagent.qemu;

import io.ferry.common.testing.CiTools;
import io.ferry.hostagent.qemu.guest.TestGuest;
import io.ferry.hostagent.qemu.launch.QemuLauncher;
import io.ferry.hostagent.qemu.launch.QemuSettings;
import io.ferry.hostagent.qemu.launch.QemuVm;
import io.ferry.v1.DiskSpec;
import io.ferry.v1.VmSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Test kit for QEMU tests: one or more "hosts" (launchers on their own run directories) in a temp dir, the test
 * guest image, and cleanup that kills every QEMU the test started, also on failure.
 */
public final class QemuTestKit implements AutoCloseable {
  public static final int MEMORY_MIB = 48;

  private final Path root;
  private final List<QemuLauncher> launchers = new ArrayList<>();
  private final List<QemuVm> started = new ArrayList<>();
  private final TestGuest guest;

  public QemuTestKit(Path root, long delayLoops) {
    CiTools.require("qemu-system-x86_64");
    this.root = root;
    this.guest = TestGuest.forMemory(MEMORY_MIB, delayLoops);
  }

  public TestGuest guest() {
    return guest;
  }

  public Path root() {
    return root;
  }

  /** A launcher for host {@code host} (its own run directory). */
  public QemuLauncher host(String host) {
    QemuLauncher l = new QemuLauncher(QemuSettings.defaults(root.resolve(host + "-run")), Clock.systemUTC());
    launchers.add(l);
    return l;
  }

  /** A spec booting the test guest from a raw image written under {@code host}. */
  public VmSpec spec(String name, String host) {
    Path image = root.resolve(host + "-" + name + ".img");
    if (!Files.exists(image)) {
      guest.writeImage(image);
    }
    return VmSpec.newBuilder().setName(name).setVcpus(1).setMemoryBytes((long) MEMORY_MIB << 20)
        .setAccelerator("tcg").setMachine("pc")
        .addDisks(DiskSpec.newBuilder().setPath(image.toString()).setFormat("raw")).build();
  }

  /** Remembers {@code vm} so {@link #close} kills it. */
  public QemuVm track(QemuVm vm) {
    started.add(vm);
    return vm;
  }

  /** Waits until {@code log} holds at least {@code markers} more markers than {@code after}; returns the count. */
  public static long awaitMarkers(Path log, long after, long markers, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long n = 0;
    while (System.nanoTime() < deadline) {
      n = countMarkers(log);
      if (n >= after + markers) {
        return n;
      }
      pause(20);
    }
    throw new AssertionError("only " + (n - after) + " new markers on " + log + " within " + timeout);
  }

  public static long countMarkers(Path log) {
    try {
      if (!Files.exists(log)) {
        return 0;
      }
      byte[] b = Files.readAllBytes(log);
      long n = 0;
      for (byte c : b) {
        if (c == TestGuest.MARKER) {
          n++;
        }
      }
      return n;
    } catch (IOException e) {
      throw new AssertionError("cannot read " + log, e);
    }
  }

  public static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    for (QemuVm vm : started) {
      if (vm.isAlive()) {
        vm.destroy();
      }
    }
    launchers.forEach(QemuLauncher::close);
  }
}
