package io.ferry.hostagent.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.hostagent.hypervisor.MigrationSupport;
import io.ferry.hostagent.hypervisor.NativeStream;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.hostagent.hypervisor.VmEvent;
import io.ferry.hostagent.qemu.launch.QemuCommandLine;
import io.ferry.hostagent.qemu.launch.QemuVm;
import io.ferry.hostagent.qemu.migrate.NbdExport;
import io.ferry.hostagent.qemu.migrate.QemuMigrationDestination;
import io.ferry.hostagent.qemu.migrate.QemuMigrationOptions;
import io.ferry.hostagent.qemu.migrate.QemuMigrationResult;
import io.ferry.hostagent.qemu.migrate.QemuMigrationSource;
import io.ferry.hostagent.qemu.migrate.StorageMirror;
import io.ferry.hostagent.qemu.qmp.QmpEvent;
import io.ferry.hostagent.qemu.qmp.QmpException;
import io.ferry.hostagent.signals.VmProcessUsage;
import io.ferry.v1.MigrationLimits;
import io.ferry.v1.MigrationStrategy;
import io.ferry.v1.VmSpec;
import io.ferry.v1.VmState;
import io.ferry.v1.VmUsage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One QEMU VM behind the hypervisor SPI. Its start/stop log comes from QEMU's own STOP and RESUME events (with
 * QEMU's timestamps), so the log shows when the guest's vCPUs really stopped and resumed, on both sides of a
 * migration. It migrates with QEMU's stream ({@link NativeStream}).
 *
 * <p>Not supported here: {@link #throttle} outside a migration (auto-converge throttles inside QEMU) and a guest
 * progress counter (QEMU guests keep their own; tests read the test guest's serial log).
 */
final class QemuMachine implements VirtualMachine, NativeStream {
  private static final Logger log = LoggerFactory.getLogger(QemuMachine.class);
  private static final Duration QUIT_GRACE = Duration.ofSeconds(5);

  private final QemuHypervisor host;
  private volatile VmSpec spec;
  private volatile QemuVm vm;
  private volatile boolean incomingPending;
  private volatile boolean storageCreatedHere;
  // its disks went with it to the destination: what a storage migration created here for it is not needed any more
  private volatile boolean leftWithStorage;
  private volatile Instant startedAt;
  private volatile Instant lastResume;
  private volatile Instant lastStop;
  private volatile CompletableFuture<Instant> nextResume = new CompletableFuture<>();

  QemuMachine(QemuHypervisor host, VmSpec spec, boolean incoming) {
    this.host = host;
    this.spec = spec;
    this.incomingPending = incoming;
  }

  static QemuMachine adopted(QemuHypervisor host, QemuVm vm) {
    QemuMachine m = new QemuMachine(host, vm.spec(), false);
    m.attach(vm);
    m.startedAt = host.clock().instant();
    return m;
  }

  @Override
  public String name() {
    return spec.getName();
  }

  @Override
  public VmSpec spec() {
    return spec;
  }

  /** An incoming VM whose guest has not run here yet: not this host's VM, not listed. */
  boolean incomingPending() {
    return incomingPending;
  }

  @Override
  public VmState state() {
    QemuVm v = vm;
    if (v == null) {
      return incomingPending ? VmState.VM_MIGRATING_IN : VmState.VM_STOPPED;
    }
    try {
      return v.state();
    } catch (QmpException e) {
      return v.isAlive() ? VmState.VM_PAUSED : VmState.VM_STOPPED;
    }
  }

  @Override
  public synchronized void start() {
    if (vm == null) {
      if (incomingPending) {
        throw new IllegalStateException("VM " + name() + " is an incoming migration target: it starts when the"
            + " migration stream completes");
      }
      QemuVm started = host.launcher().start(spec);
      attach(started);
      startedAt = host.clock().instant();
      // QEMU runs the guest from its start; no RESUME event tells us so
      resumed(startedAt);
      return;
    }
    resume();
  }

  @Override
  public void pause() {
    requireProcess().qmp().execute("stop", host.config().settings().qmpTimeout());
  }

  @Override
  public void resume() {
    requireProcess().qmp().execute("cont", host.config().settings().qmpTimeout());
  }

  @Override
  public synchronized void destroy() {
    QemuVm v = vm;
    if (v != null) {
      boolean wasRunning = running();
      v.quit(QUIT_GRACE);
      if (wasRunning) {
        record(host.clock().instant(), VmEvent.Kind.STOPPED);
      }
    }
    host.forget(this);
    if (storageCreatedHere && incomingPending || leftWithStorage) {
      host.deleteDisks(name());
    }
  }

  /** ACPI power-down, {@code quit} if the guest has not powered off after {@code grace}, then SIGKILL. */
  @Override
  public synchronized void shutdown(Duration grace) {
    QemuVm v = vm;
    if (v == null) {
      destroy();
      return;
    }
    boolean wasRunning = running();
    v.stop(grace);
    if (wasRunning) {
      record(host.clock().instant(), VmEvent.Kind.STOPPED);
    }
    host.forget(this);
  }

  @Override
  public VmUsage usage() {
    VmUsage.Builder b = VmUsage.newBuilder().setName(name()).setState(state()).setVcpus(spec.getVcpus())
        .setMemoryBytes(spec.getMemoryBytes()).putAllLabels(spec.getLabelsMap()).setCpuModel(spec.getCpuModel())
        .addAllCpuFeatures(spec.getCpuFeaturesList())
        .setDiskBytes(spec.getDisksList().stream().mapToLong(d -> Math.max(0, d.getSizeBytes())).sum());
    QemuVm v = vm;
    if (v != null && v.isAlive()) {
      VmProcessUsage p = host.processes().sample(v.pid());
      b.setCpuUsageCores(p.cpuCores()).setMemoryUsedBytes(p.residentBytes()).setAccelerator(v.accelerator());
    }
    if (startedAt != null) {
      b.setStartedAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(startedAt.getEpochSecond())
          .setNanos(startedAt.getNano()));
    }
    return b.build();
  }

  @Override
  public long progressCounter() {
    return 0;
  }

  @Override
  public Instant lastProgressAt() {
    return lastResume;
  }

  @Override
  public CompletableFuture<Instant> firstProgressAfterStart() {
    return nextResume;
  }

  @Override
  public void throttle(double ratio) {
    // QEMU throttles the guest itself during a migration (auto-converge); outside one there is nothing to slow.
  }

  @Override
  public double throttleRatio() {
    return 0;
  }

  @Override
  public MigrationSupport migrationSupport() {
    return this;
  }

  /** The QEMU process, for tests and the driver (e.g. the serial log); null before the VM starts. */
  QemuVm process() {
    return vm;
  }

  // ---- the native stream ----

  @Override
  public Outgoing outgoing(MigrationStrategy strategy, MigrationLimits limits) {
    QemuVm source = requireProcess();
    fillDiskSizes(source);
    QemuMigrationOptions options = QemuMigrationOptions.from(strategy, limits)
        .withTls(host.config().tlsDir() != null);
    return new QemuOutgoing(source, options);
  }

  @Override
  public synchronized Incoming listen(MigrationStrategy strategy, MigrationLimits limits, String listenHost) {
    if (!incomingPending || vm != null) {
      throw new IllegalStateException("VM " + name() + " is not an incoming migration target");
    }
    if (limits.getWithStorage()) {
      spec = host.withLocalDisks(spec);
      storageCreatedHere = true;
    }
    String address = host.config().migrationAddress() != null ? host.config().migrationAddress() : listenHost;
    Duration qmpTimeout = host.config().settings().qmpTimeout();
    QemuVm started = host.launcher().startIncoming(spec);
    attach(started);
    try {
      QemuMigrationOptions options = QemuMigrationOptions.from(strategy, limits)
          .withTls(host.config().tlsDir() != null);
      QemuMigrationDestination destination = QemuMigrationDestination.listen(started, options, address, 0,
          Optional.ofNullable(host.config().tlsDir()), qmpTimeout);
      NbdExport export = null;
      if (limits.getWithStorage() && !StorageMirror.diskNodes(spec).isEmpty()) {
        export = StorageMirror.export(started, address, freePort(), options.tls(), qmpTimeout);
      }
      return new QemuIncoming(destination, export);
    } catch (RuntimeException e) {
      destroy();
      throw e;
    }
  }

  private final class QemuOutgoing implements Outgoing {
    private final QemuVm source;
    private final QemuMigrationOptions options;
    private final QemuMigrationSource migration;
    private volatile Instant runStarted;
    private volatile boolean cancelled;

    QemuOutgoing(QemuVm source, QemuMigrationOptions options) {
      this.source = source;
      this.options = options;
      this.migration = new QemuMigrationSource(source, host.clock(), host.config().settings().qmpTimeout());
    }

    @Override
    public Result run(Target target, Consumer<Progress> progress, Recovery recovery) {
      runStarted = host.clock().instant();
      Optional<NbdExport> storage = target.storageUri().isBlank() ? Optional.empty()
          : Optional.of(parseNbd(target.storageUri()));
      migration.onSample(q -> progress.accept(progressOf(q)));
      QemuMigrationResult r = migration.migrate(target.streamUri(), options,
          Optional.ofNullable(host.config().tlsDir()), storage, recovery::newStreamUri);
      r.notes().forEach(n -> log.info("VM {}: {}", name(), n));
      Result.Outcome outcome = switch (r.outcome()) {
        case COMPLETED -> Result.Outcome.COMPLETED;
        case CANCELLED -> Result.Outcome.CANCELLED;
        case FAILED -> Result.Outcome.FAILED;
      };
      // the engine destroys this copy only once the destination confirmed it runs the VM (with its own disks)
      leftWithStorage = outcome == Result.Outcome.COMPLETED && storage.isPresent();
      boolean lost = r.outcome() == QemuMigrationResult.Outcome.FAILED
          && r.strategyInUse() == MigrationStrategy.POST_COPY;
      return new Result(outcome, r.reason(), r.strategyInUse(), r.stats(), lost);
    }

    @Override
    public synchronized void cancel() {
      if (!cancelled) {
        cancelled = true;
        migration.cancel();
      }
    }

    @Override
    public void resumeSource() {
      leftWithStorage = false; // rolled back: the VM stays here, on these disks
      source.qmp().execute("cont", host.config().settings().qmpTimeout());
    }

    @Override
    public Optional<Instant> pausedAt() {
      Instant stop = lastStop;
      return runStarted != null && stop != null && !stop.isBefore(runStarted) ? Optional.of(stop) : Optional.empty();
    }

    private Progress progressOf(JsonNode q) {
      JsonNode ram = q.path("ram");
      MigrationStrategy inUse = q.path("status").asText().startsWith("postcopy") ? MigrationStrategy.POST_COPY
          : options.strategy() == MigrationStrategy.AUTO ? MigrationStrategy.PRE_COPY : options.strategy();
      return new Progress(ram.path("remaining").asLong(), (int) ram.path("dirty-sync-count").asLong(),
          ram.path("dirty-pages-rate").asDouble() * ram.path("page-size").asLong(4096), inUse);
    }
  }

  private final class QemuIncoming implements Incoming {
    private final QemuMigrationDestination destination;
    private final NbdExport export;
    private volatile boolean finished;

    QemuIncoming(QemuMigrationDestination destination, NbdExport export) {
      this.destination = destination;
      this.export = export;
    }

    @Override
    public Target target() {
      return new Target(destination.uri(), export == null ? "" : formatNbd(export));
    }

    @Override
    public boolean awaitRunning(Duration timeout) {
      return destination.awaitRunning(timeout);
    }

    @Override
    public Optional<Instant> resumedAt() {
      return incomingPending ? Optional.empty() : Optional.ofNullable(lastResume);
    }

    @Override
    public boolean alive() {
      QemuVm v = vm;
      return v != null && v.isAlive();
    }

    @Override
    public String recover(String listenHost) {
      String address = host.config().migrationAddress() != null ? host.config().migrationAddress() : listenHost;
      return destination.recover(address, freePort());
    }

    @Override
    public synchronized void finish() {
      if (finished) {
        return;
      }
      finished = true;
      if (export != null) {
        try {
          StorageMirror.stopExport(destination.vm(), host.config().settings().qmpTimeout());
        } catch (QmpException e) {
          log.warn("VM {}: stopping the disk export failed: {}", name(), e.getMessage());
        }
      }
    }
  }

  // ---- events and helpers ----

  private void attach(QemuVm started) {
    this.vm = started;
    started.qmp().addListener(this::onEvent);
  }

  private void onEvent(QmpEvent e) {
    switch (e.name()) {
      case "STOP" -> {
        lastStop = e.emittedAt();
        record(e.emittedAt(), VmEvent.Kind.STOPPED);
      }
      case "RESUME" -> resumed(e.emittedAt());
      case "SHUTDOWN" -> record(e.emittedAt(), VmEvent.Kind.STOPPED);
      default -> { }
    }
  }

  private void resumed(Instant at) {
    lastResume = at;
    if (incomingPending) {
      incomingPending = false;
      startedAt = at;
    }
    record(at, VmEvent.Kind.RUNNING);
    CompletableFuture<Instant> waiting = nextResume;
    nextResume = new CompletableFuture<>();
    waiting.complete(at);
  }

  private boolean running() {
    return lastResume != null && (lastStop == null || lastStop.isBefore(lastResume));
  }

  private void record(Instant at, VmEvent.Kind kind) {
    host.events().record(new VmEvent(at, host.hostName(), name(), kind));
  }

  private QemuVm requireProcess() {
    QemuVm v = vm;
    if (v == null) {
      throw new IllegalStateException("VM " + name() + " has not started on " + host.hostName());
    }
    return v;
  }

  /** Storage migration needs each disk's virtual size on the destination: ask QEMU for it. */
  private void fillDiskSizes(QemuVm source) {
    if (spec.getDisksList().stream().allMatch(d -> d.getSizeBytes() > 0)) {
      return;
    }
    JsonNode nodes = source.qmp().execute("query-named-block-nodes", host.config().settings().qmpTimeout());
    VmSpec.Builder b = spec.toBuilder();
    for (int i = 0; i < spec.getDisksCount(); i++) {
      String node = QemuCommandLine.diskNode(i);
      for (JsonNode n : nodes) {
        if (node.equals(n.path("node-name").asText())) {
          b.setDisks(i, b.getDisks(i).toBuilder().setSizeBytes(n.path("image").path("virtual-size").asLong()));
        }
      }
    }
    spec = b.build();
  }

  static String formatNbd(NbdExport e) {
    return "nbd:" + e.host() + ":" + e.port() + ":exports=" + String.join(",", e.exportNames())
        + (e.tls() ? ":tls" : "");
  }

  static NbdExport parseNbd(String uri) {
    String[] f = uri.split(":");
    if (f.length < 4 || !"nbd".equals(f[0]) || !f[3].startsWith("exports=")) {
      throw new IllegalArgumentException("disk export URI '" + uri + "' is not nbd:HOST:PORT:exports=A,B[:tls]");
    }
    List<String> exports = new ArrayList<>(Arrays.asList(f[3].substring("exports=".length()).split(",")));
    return new NbdExport(f[1], Integer.parseInt(f[2]), exports, f.length > 4 && "tls".equals(f[4]));
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port for the migration listener", e);
    }
  }
}
