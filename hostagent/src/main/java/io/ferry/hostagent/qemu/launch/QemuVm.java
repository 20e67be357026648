package io.ferry.hostagent.qemu.launch;

import io.ferry.hostagent.qemu.qmp.QmpClient;
import io.ferry.hostagent.qemu.qmp.QmpException;
import io.ferry.v1.VmSpec;
import io.ferry.v1.VmState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running QEMU process and its QMP connection. Obtained from {@link QemuLauncher#start},
 * {@link QemuLauncher#startIncoming} or {@link QemuLauncher#adopt}.
 */
public final class QemuVm {
  private static final Logger log = LoggerFactory.getLogger(QemuVm.class);

  private final VmSpec spec;
  private final VmDirectory dir;
  private final ProcessHandle process;
  private final QmpClient qmp;
  private final String accelerator;
  private final Duration qmpTimeout;

  QemuVm(VmSpec spec, VmDirectory dir, ProcessHandle process, QmpClient qmp, String accelerator,
      Duration qmpTimeout) {
    this.spec = spec;
    this.dir = dir;
    this.process = process;
    this.qmp = qmp;
    this.accelerator = accelerator;
    this.qmpTimeout = qmpTimeout;
  }

  public String name() {
    return spec.getName();
  }

  public VmSpec spec() {
    return spec;
  }

  public long pid() {
    return process.pid();
  }

  /** "kvm" or "tcg": what QEMU actually runs with. */
  public String accelerator() {
    return accelerator;
  }

  public QmpClient qmp() {
    return qmp;
  }

  public VmDirectory directory() {
    return dir;
  }

  /** The guest's serial output file. */
  public Path serialLog() {
    return Path.of(QemuCommandLine.serialLog(spec, dir));
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** QEMU's run state ("running", "paused", "inmigrate", "postmigrate", "finish-migrate", ...). */
  public String runState() {
    return qmp.execute("query-status", qmpTimeout).path("status").asText();
  }

  /** The run state as Ferry reports it. */
  public VmState state() {
    if (!isAlive()) {
      return VmState.VM_STOPPED;
    }
    return switch (runState()) {
      case "running" -> VmState.VM_RUNNING;
      case "inmigrate" -> VmState.VM_MIGRATING_IN;
      // the source's copy after the switchover: paused, waiting to be quit once the destination runs
      case "postmigrate", "finish-migrate" -> VmState.VM_MIGRATING_OUT;
      case "shutdown" -> VmState.VM_STOPPED;
      default -> VmState.VM_PAUSED;
    };
  }

  /**
   * Stops the VM: ACPI power-down, then {@code quit} if the guest has not powered off after {@code grace}, then
   * SIGKILL. Removes the VM's run directory.
   */
  public void stop(Duration grace) {
    try {
      qmp.execute("system_powerdown", qmpTimeout);
      if (!awaitExit(grace)) {
        log.info("VM {} did not power off within {} ms; sending quit", name(), grace.toMillis());
        quit(grace);
        return;
      }
    } catch (QmpException e) {
      log.info("VM {}: QMP unavailable while stopping ({}); killing QEMU pid {}", name(), e.getMessage(), pid());
    }
    destroy();
  }

  /**
   * Ends QEMU with QMP {@code quit} (e.g. the source after a completed migration), SIGKILL if it has not exited
   * after {@code grace}; removes the run directory.
   */
  public void quit(Duration grace) {
    try {
      qmp.execute("quit", qmpTimeout);
    } catch (QmpException e) {
      // quit often loses the connection before it answers: QEMU is on its way out either way
      log.debug("VM {}: quit answered {}", name(), e.getMessage());
    }
    if (!awaitExit(grace)) {
      log.warn("VM {}: QEMU pid {} ignored quit for {} ms; killing it", name(), pid(), grace.toMillis());
    }
    destroy();
  }

  /** Kills QEMU at once (SIGKILL) and removes the VM's run directory. */
  public void destroy() {
    if (process.isAlive()) {
      process.destroyForcibly();
      awaitExit(Duration.ofSeconds(10));
    }
    qmp.close();
    deleteRunDirectory();
  }

  /** Closes the QMP connection and leaves QEMU running (an agent shutting down, to be adopted later). */
  public void detach() {
    qmp.close();
  }

  /** Waits up to {@code timeout} for QEMU to exit; true if it has. */
  public boolean awaitExit(Duration timeout) {
    // QEMU is daemonized, so not our child: ProcessHandle.onExit would poll it with a coarse backoff (up to
    // seconds); a 10 ms poll keeps a migration's commit and a stop prompt
    long deadline = System.nanoTime() + timeout.toNanos();
    while (process.isAlive()) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  private void deleteRunDirectory() {
    try (Stream<Path> files = Files.walk(dir.dir())) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.warn("VM {}: could not remove run directory {}: {}", name(), dir.dir(), e.getMessage());
    }
  }
}
