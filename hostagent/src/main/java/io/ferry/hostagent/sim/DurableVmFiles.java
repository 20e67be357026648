package io.ferry.hostagent.sim;

import com.google.protobuf.InvalidProtocolBufferException;
import io.ferry.common.FerryException;
import io.ferry.v1.VmSpec;
import io.ferry.v1.VmState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * What a durable sim VM keeps in its directory so that it outlives its agent process, as a QEMU process outlives
 * a restarted agent: its spec ({@code spec.pb}), its RAM ({@code ram}, mapped) and whether it runs ({@code state}).
 * Files are replaced atomically, so a process killed at any instant leaves either the old or the new state.
 */
final class DurableVmFiles {
  static final String SPEC = "spec.pb";
  static final String STATE = "state";
  static final String RAM = "ram";

  private final Path dir;

  DurableVmFiles(Path dir) {
    this.dir = dir;
  }

  Path ram() {
    return dir.resolve(RAM);
  }

  void writeSpec(VmSpec spec) {
    replace(SPEC, spec.toByteArray());
  }

  /** Records the run state; called before the change is visible to anyone outside the VM. */
  void writeState(VmState state) {
    replace(STATE, state.name().getBytes(StandardCharsets.US_ASCII));
  }

  /** The spec of the VM kept in {@code dir}, if it has one. */
  static Optional<VmSpec> readSpec(Path dir) {
    Path f = dir.resolve(SPEC);
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    try {
      return Optional.of(VmSpec.parseFrom(Files.readAllBytes(f)));
    } catch (InvalidProtocolBufferException e) {
      throw new FerryException("sim VM spec " + f + " is corrupt: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new FerryException("cannot read sim VM spec " + f + ": " + e.getMessage(), e);
    }
  }

  /** The recorded run state; a VM that never started has none and counts as stopped. */
  static VmState readState(Path dir) {
    Path f = dir.resolve(STATE);
    try {
      return Files.exists(f) ? VmState.valueOf(Files.readString(f, StandardCharsets.US_ASCII).strip())
          : VmState.VM_STOPPED;
    } catch (IOException | IllegalArgumentException e) {
      throw new FerryException("cannot read sim VM state " + f + ": " + e.getMessage(), e);
    }
  }

  private void replace(String name, byte[] content) {
    Path tmp = dir.resolve(name + ".tmp");
    try {
      Files.write(tmp, content);
      Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new FerryException("cannot write " + dir.resolve(name) + ": " + e.getMessage(), e);
    }
  }
}
