package io.ferry.hostagent.qemu.launch;

import java.nio.file.Path;

/** The files of one VM under the run directory: {@code RUN_DIR/NAME/...}. */
public record VmDirectory(Path dir) {
  public Path qmpSocket() {
    return dir.resolve("qmp.sock");
  }

  /**
   * A second QMP monitor for people and tests (QEMU serves one client per monitor, and the agent holds
   * {@link #qmpSocket}): inspecting a VM must not need its agent stopped.
   */
  public Path operatorQmpSocket() {
    return dir.resolve("qmp-operator.sock");
  }

  public Path pidFile() {
    return dir.resolve("qemu.pid");
  }

  public Path specFile() {
    return dir.resolve("spec.json");
  }

  /** The accelerator QEMU was started with ("kvm" or "tcg"). */
  public Path acceleratorFile() {
    return dir.resolve("accelerator");
  }

  public Path serialLog() {
    return dir.resolve("serial.log");
  }

  /** QEMU's own stderr (start-up errors). */
  public Path qemuLog() {
    return dir.resolve("qemu.log");
  }
}
