package io.ferry.hostagent.qemu.launch;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How the agent runs QEMU on this host.
 *
 * @param qemuBinary the emulator, e.g. {@code qemu-system-x86_64} (looked up on PATH) or an absolute path
 * @param runDir one directory per VM lives here: {@code RUN_DIR/NAME/{qmp.sock, qemu.pid, spec.json, serial.log}}
 * @param kvmTrusted whether accelerator {@code auto} may pick KVM when {@code /dev/kvm} is usable (off by default:
 *     nested KVM can be far slower than TCG for memory-writing guests)
 * @param kvmDevice normally {@code /dev/kvm}
 * @param qmpTimeout the time-out for QMP greetings and ordinary commands
 */
public record QemuSettings(String qemuBinary, Path runDir, boolean kvmTrusted, Path kvmDevice, Duration qmpTimeout) {
  public QemuSettings {
    if (qemuBinary == null || qemuBinary.isBlank()) {
      throw new IllegalArgumentException("qemuBinary must name the QEMU emulator");
    }
    if (runDir == null) {
      throw new IllegalArgumentException("runDir is required");
    }
    if (qmpTimeout == null || qmpTimeout.isNegative() || qmpTimeout.isZero()) {
      throw new IllegalArgumentException("qmpTimeout must be positive, got " + qmpTimeout);
    }
    kvmDevice = kvmDevice == null ? Path.of("/dev/kvm") : kvmDevice;
  }

  /** {@code qemu-system-x86_64}, KVM not trusted, 10 s QMP time-out. */
  public static QemuSettings defaults(Path runDir) {
    return new QemuSettings("qemu-system-x86_64", runDir, false, Path.of("/dev/kvm"), Duration.ofSeconds(10));
  }

  public QemuSettings withKvmTrusted(boolean trusted) {
    return new QemuSettings(qemuBinary, runDir, trusted, kvmDevice, qmpTimeout);
  }
}
