package io.ferry.hostagent.qemu;

import io.ferry.hostagent.hypervisor.Hypervisor;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.hostagent.hypervisor.VmEventLog;
import io.ferry.hostagent.qemu.compat.CpuCompatibility;
import io.ferry.hostagent.qemu.compat.HostCpu;
import io.ferry.hostagent.qemu.launch.QemuLauncher;
import io.ferry.hostagent.qemu.launch.QemuSettings;
import io.ferry.hostagent.qemu.launch.QemuVm;
import io.ferry.hostagent.signals.HostFiles;
import io.ferry.hostagent.signals.VmProcessSampler;
import io.ferry.v1.VmSpec;
import io.ferry.v1.VmState;
import io.ferry.v1.VmUsage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code qemu} driver behind the hypervisor SPI: real QEMU processes (daemonized, one run directory each, so
 * they outlive the agent and are adopted by the next one), migrated with QEMU's own stream ({@link QemuMachine}).
 *
 * @see io.ferry.hostagent.qemu.launch.QemuLauncher for the process side
 */
public final class QemuHypervisor implements Hypervisor {
  private static final Logger log = LoggerFactory.getLogger(QemuHypervisor.class);

  private final String hostName;
  private final QemuLauncher launcher;
  private final Config config;
  private final VmEventLog events;
  private final Clock clock;
  private final VmProcessSampler processes;
  private final Map<String, QemuMachine> machines = new ConcurrentHashMap<>();
  private final List<String> leftovers = new ArrayList<>();

  /**
   * How this host runs and migrates QEMU VMs.
   *
   * @param settings binary, run directory, accelerator trust, QMP time-out
   * @param diskDir where the disks of VMs received with storage migration are created
   * @param tlsDir QEMU's TLS directory for migration streams and disk exports (see
   *     {@link io.ferry.hostagent.qemu.migrate.MigrationTls}), or null for plain text ({@code --insecure})
   * @param migrationAddress the address incoming streams listen on, or null for the agent's advertised host
   * @param hostCpu what this host offers guests (for the CPU compatibility check of incoming migrations)
   */
  public record Config(QemuSettings settings, Path diskDir, Path tlsDir, String migrationAddress, HostCpu hostCpu) {}

  /** Adopts every VM a previous agent left running in the run directory; never restarts or kills one. */
  public QemuHypervisor(String hostName, Config config, VmEventLog events, Clock clock) {
    this.hostName = hostName;
    this.config = config;
    this.events = events;
    this.clock = clock;
    this.launcher = new QemuLauncher(config.settings(), clock);
    this.processes = new VmProcessSampler(HostFiles.thisHost(), clock);
    for (QemuVm vm : launcher.adopt()) {
      if ("inmigrate".equals(runStateQuietly(vm))) {
        // an incoming migration the previous agent never finished: the source still owns the VM
        log.info("{}: removing incoming VM {} left by an interrupted migration", hostName, vm.name());
        vm.destroy();
        launcher.forget(vm.name());
        deleteDisks(vm.name());
        leftovers.add(vm.name());
        continue;
      }
      machines.put(vm.name(), QemuMachine.adopted(this, vm));
    }
  }

  @Override
  public String name() {
    return "qemu";
  }

  @Override
  public String hostName() {
    return hostName;
  }

  @Override
  public VirtualMachine define(VmSpec spec) {
    return register(new QemuMachine(this, spec, false));
  }

  @Override
  public VirtualMachine defineIncoming(VmSpec spec) {
    return register(new QemuMachine(this, spec, true));
  }

  private QemuMachine register(QemuMachine m) {
    if (machines.putIfAbsent(m.name(), m) != null) {
      throw new IllegalArgumentException("VM " + m.name() + " already exists on " + hostName);
    }
    return m;
  }

  @Override
  public Optional<String> refuseIncoming(VmSpec spec) {
    if (spec.getCpuFeaturesCount() == 0 || config.hostCpu() == null) {
      return Optional.empty();
    }
    CpuCompatibility.Verdict v = CpuCompatibility.check(spec.getName(), spec.getCpuFeaturesList(), config.hostCpu(),
        hostName);
    return v.compatible() ? Optional.empty() : Optional.of(v.message());
  }

  @Override
  public Optional<VirtualMachine> find(String name) {
    return Optional.ofNullable(machines.get(name));
  }

  @Override
  public List<VmUsage> list() {
    return machines.values().stream().filter(m -> !m.incomingPending()).map(QemuMachine::usage)
        .filter(u -> u.getState() != VmState.VM_STATE_UNSPECIFIED)
        .sorted(Comparator.comparing(VmUsage::getName)).toList();
  }

  @Override
  public List<String> discardIncomingLeftovers() {
    List<String> cleaned = List.copyOf(leftovers);
    leftovers.clear();
    return cleaned;
  }

  @Override
  public VmEventLog events() {
    return events;
  }

  /** The accelerator new VMs get under {@code auto} here, as host facts report it. */
  public String defaultAccelerator() {
    return io.ferry.hostagent.qemu.launch.AcceleratorChoice.choose("auto", config.settings().kvmTrusted(),
        config.settings().kvmDevice()).accelerator();
  }

  public HostCpu hostCpu() {
    return config.hostCpu();
  }

  /** Drops the QMP connections; the VMs keep running for the next agent to adopt. */
  @Override
  public void close() {
    launcher.close();
    machines.clear();
  }

  QemuLauncher launcher() {
    return launcher;
  }

  Config config() {
    return config;
  }

  Clock clock() {
    return clock;
  }

  VmProcessSampler processes() {
    return processes;
  }

  void forget(QemuMachine m) {
    machines.remove(m.name(), m);
    launcher.forget(m.name());
  }

  /** Creates the destination disks of a storage migration: empty images of the source disks' virtual sizes. */
  VmSpec withLocalDisks(VmSpec spec) {
    VmSpec.Builder b = spec.toBuilder();
    Path dir = config.diskDir().resolve(spec.getName());
    try {
      Files.createDirectories(dir);
      for (int i = 0; i < spec.getDisksCount(); i++) {
        var d = spec.getDisks(i);
        if (d.getReadOnly()) {
          continue;
        }
        if (d.getSizeBytes() <= 0) {
          throw new IllegalArgumentException("disk " + i + " (" + d.getPath() + ") has no size: the source must"
              + " send each disk's virtual size for a storage migration");
        }
        String format = d.getFormat().isBlank() ? "raw" : d.getFormat();
        Path image = dir.resolve("disk" + i + "." + format);
        DiskImages.create(image, format, d.getSizeBytes());
        b.setDisks(i, d.toBuilder().setPath(image.toString()).setFormat(format));
      }
      return b.build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create disks for incoming VM " + spec.getName() + " in " + dir, e);
    }
  }

  /**
   * Removes the disks a storage migration created for {@code vm} here: after a discarded incoming migration, or
   * once the VM left with its disks (never disks Ferry did not create: only {@code DISK_DIR/VM} is removed).
   */
  void deleteDisks(String vm) {
    Path dir = config.diskDir().resolve(vm);
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.warn("{}: could not remove {}: {}", hostName, dir, e.getMessage());
    }
  }

  static String runStateQuietly(QemuVm vm) {
    try {
      return vm.runState();
    } catch (RuntimeException e) {
      return "unknown";
    }
  }
}
