package io.ferry.hostagent.qemu.launch;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.ferry.hostagent.qemu.qmp.QmpClient;
import io.ferry.hostagent.qemu.qmp.QmpException;
import io.ferry.v1.VmSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts QEMU VMs from {@link VmSpec}s under one run directory and keeps the inventory of those it manages. QEMU is
 * daemonized, so VMs outlive the agent: a new launcher on the same run directory {@link #adopt}s them (never
 * restarting or killing them). {@link #close} only drops the QMP connections.
 */
public final class QemuLauncher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QemuLauncher.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

  private final QemuSettings settings;
  private final Clock clock;
  private final Map<String, QemuVm> vms = new ConcurrentHashMap<>();

  public QemuLauncher(QemuSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  public QemuSettings settings() {
    return settings;
  }

  /** Starts {@code spec} and waits for its QMP socket. */
  public QemuVm start(VmSpec spec) {
    return launch(spec, false);
  }

  /** Starts {@code spec} as a migration destination ({@code -incoming defer}); the guest does not run yet. */
  public QemuVm startIncoming(VmSpec spec) {
    return launch(spec, true);
  }

  /** The VM called {@code name}, if this launcher manages it. */
  public Optional<QemuVm> get(String name) {
    return Optional.ofNullable(vms.get(name));
  }

  /** Every VM this launcher manages. */
  public Collection<QemuVm> list() {
    return List.copyOf(vms.values());
  }

  /** Forgets {@code name} (after it was destroyed or migrated away). */
  public void forget(String name) {
    vms.remove(name);
  }

  /**
   * Scans the run directory and takes over every VM whose QEMU is alive and answers on its QMP socket. Directories
   * whose QEMU is gone are reported in the log and left alone for an operator; live VMs are never restarted.
   *
   * @return the VMs adopted by this call
   */
  public List<QemuVm> adopt() {
    List<QemuVm> adopted = new ArrayList<>();
    if (!Files.isDirectory(settings.runDir())) {
      return adopted;
    }
    try (Stream<Path> dirs = Files.list(settings.runDir())) {
      for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
        adoptOne(new VmDirectory(d)).ifPresent(adopted::add);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot scan run directory " + settings.runDir(), e);
    }
    return adopted;
  }

  private Optional<QemuVm> adoptOne(VmDirectory dir) {
    String name = dir.dir().getFileName().toString();
    if (vms.containsKey(name)) {
      return Optional.empty();
    }
    Optional<ProcessHandle> process = readPid(dir).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
    if (process.isEmpty()) {
      log.warn("run directory {} has no live QEMU; not adopting VM {} (remove the directory once inspected)",
          dir.dir(), name);
      return Optional.empty();
    }
    try {
      VmSpec spec = readSpec(dir);
      String accelerator = Files.readString(dir.acceleratorFile()).trim();
      QmpClient qmp = QmpClient.connect(dir.qmpSocket(), settings.qmpTimeout(), clock);
      QemuVm vm = new QemuVm(spec, dir, process.get(), qmp, accelerator, settings.qmpTimeout());
      vms.put(name, vm);
      log.info("adopted VM {} (QEMU pid {}, {}, state {})", name, vm.pid(), accelerator, vm.runState());
      return Optional.of(vm);
    } catch (IOException | QmpException e) {
      log.warn("VM {} (pid {}) is alive but cannot be adopted: {}; leaving it running", name,
          process.get().pid(), e.getMessage());
      return Optional.empty();
    }
  }

  private QemuVm launch(VmSpec spec, boolean incoming) {
    validate(spec);
    if (vms.containsKey(spec.getName())) {
      throw new QemuLaunchException("VM " + spec.getName() + " already runs on this host");
    }
    AcceleratorChoice accel = AcceleratorChoice.choose(spec.getAccelerator(), settings.kvmTrusted(),
        settings.kvmDevice());
    VmDirectory dir = new VmDirectory(settings.runDir().resolve(spec.getName()));
    try {
      prepareDirectory(dir, spec, accel);
      List<String> cmd = QemuCommandLine.build(settings.qemuBinary(), spec, dir, accel.accelerator(), incoming);
      Process parent = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(dir.qemuLog().toFile()).start();
      if (!parent.waitFor(settings.qmpTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        parent.destroyForcibly();
        throw new QemuLaunchException("QEMU for VM " + spec.getName() + " did not start within "
            + settings.qmpTimeout().toMillis() + " ms");
      }
      if (parent.exitValue() != 0) {
        throw new QemuLaunchException("QEMU refused to start VM " + spec.getName() + " (exit "
            + parent.exitValue() + "): " + Files.readString(dir.qemuLog()).trim());
      }
      ProcessHandle process = readPid(dir).flatMap(ProcessHandle::of)
          .orElseThrow(() -> new QemuLaunchException("QEMU for VM " + spec.getName() + " exited at once: "
              + readQuietly(dir.qemuLog())));
      QmpClient qmp = connect(dir, process);
      QemuVm vm = new QemuVm(spec, dir, process, qmp, accel.accelerator(), settings.qmpTimeout());
      vms.put(spec.getName(), vm);
      log.info("started VM {} (QEMU pid {}, {}: {}{})", spec.getName(), vm.pid(), accel.accelerator(),
          accel.reason(), incoming ? ", waiting for an incoming migration" : "");
      return vm;
    } catch (IOException e) {
      throw new QemuLaunchException("cannot start QEMU for VM " + spec.getName() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QemuLaunchException("interrupted while starting VM " + spec.getName(), e);
    }
  }

  private QmpClient connect(VmDirectory dir, ProcessHandle process) {
    try {
      return QmpClient.connect(dir.qmpSocket(), settings.qmpTimeout(), clock);
    } catch (QmpException e) {
      process.destroyForcibly();
      throw new QemuLaunchException("QEMU pid " + process.pid() + " started but its QMP socket failed: "
          + e.getMessage(), e);
    }
  }

  private static void validate(VmSpec spec) {
    if (!NAME.matcher(spec.getName()).matches()) {
      throw new QemuLaunchException("VM name must be 1-63 letters, digits, '.', '_' or '-', got '"
          + spec.getName() + "'");
    }
    if (spec.getMemoryBytes() < (16L << 20) || spec.getMemoryBytes() % (1L << 20) != 0) {
      throw new QemuLaunchException("VM " + spec.getName() + ": memory must be a whole number of MiB, at least 16 MiB");
    }
    for (var d : spec.getDisksList()) {
      if (!Files.isRegularFile(Path.of(d.getPath()))) {
        throw new QemuLaunchException("VM " + spec.getName() + ": disk " + d.getPath() + " does not exist");
      }
    }
  }

  private void prepareDirectory(VmDirectory dir, VmSpec spec, AcceleratorChoice accel) throws IOException {
    if (Files.exists(dir.pidFile()) && readPid(dir).flatMap(ProcessHandle::of).isPresent()) {
      throw new QemuLaunchException("VM " + spec.getName() + " already runs (pid file " + dir.pidFile()
          + "); adopt it instead");
    }
    Files.createDirectories(dir.dir());
    Files.deleteIfExists(dir.qmpSocket());
    Files.deleteIfExists(dir.pidFile());
    Files.writeString(dir.specFile(), JsonFormat.printer().print(spec));
    Files.writeString(dir.acceleratorFile(), accel.accelerator() + "\n");
  }

  private static VmSpec readSpec(VmDirectory dir) throws IOException {
    VmSpec.Builder b = VmSpec.newBuilder();
    try {
      JsonFormat.parser().merge(Files.readString(dir.specFile()), b);
    } catch (InvalidProtocolBufferException e) {
      throw new IOException(dir.specFile() + ": " + e.getMessage(), e);
    }
    return b.build();
  }

  private static Optional<Long> readPid(VmDirectory dir) {
    try {
      return Optional.of(Long.parseLong(Files.readString(dir.pidFile()).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String readQuietly(Path p) {
    try {
      return Files.readString(p).trim();
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Drops every QMP connection; the VMs keep running (see {@link #adopt}). */
  @Override
  public void close() {
    vms.values().forEach(QemuVm::detach);
    vms.clear();
  }
}
