package io.ferry.hostagent.qemu.launch;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The accelerator a VM runs with, and why. {@code auto} picks TCG unless {@code /dev/kvm} is usable AND the host's
 * settings say KVM is trusted: on nested hosts KVM ran memory-writing guests about 1000x slower than TCG.
 *
 * @param accelerator "kvm" or "tcg"
 * @param reason one sentence for logs and inventories
 */
public record AcceleratorChoice(String accelerator, String reason) {
  /**
   * Chooses for a requested accelerator ("kvm", "tcg", "auto" or empty = auto).
   *
   * @throws IllegalArgumentException for an unknown name, or "kvm" when /dev/kvm cannot be opened
   */
  public static AcceleratorChoice choose(String requested, boolean kvmTrusted, Path kvmDevice) {
    String r = requested == null || requested.isBlank() ? "auto" : requested.trim().toLowerCase();
    boolean usable = Files.isReadable(kvmDevice) && Files.isWritable(kvmDevice);
    return switch (r) {
      case "tcg" -> new AcceleratorChoice("tcg", "tcg requested");
      case "kvm" -> {
        if (!usable) {
          throw new IllegalArgumentException("accelerator kvm requested but " + kvmDevice + " is not usable");
        }
        yield new AcceleratorChoice("kvm", "kvm requested");
      }
      case "auto" -> {
        if (usable && kvmTrusted) {
          yield new AcceleratorChoice("kvm", "auto: " + kvmDevice + " usable and KVM trusted by the host settings");
        }
        yield new AcceleratorChoice("tcg", usable
            ? "auto: " + kvmDevice + " usable but KVM not trusted by the host settings (nested KVM can be slow)"
            : "auto: " + kvmDevice + " not usable");
      }
      default -> throw new IllegalArgumentException("accelerator must be kvm, tcg or auto, got '" + requested + "'");
    };
  }
}
