package io.ferry.hostagent.sim;

import io.ferry.common.FerryException;
import io.ferry.hostagent.hypervisor.Hypervisor;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.hostagent.hypervisor.VmEventLog;
import io.ferry.v1.VmSpec;
import io.ferry.v1.VmUsage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in {@code sim} hypervisor: VMs with real off-heap RAM, file-backed disks under
 * {@code <stateDir>/vms/<vm>/}, and vCPU threads that dirty memory as their workload says. By default sim VMs live
 * as long as the process; {@linkplain #durable durable} ones keep their RAM, spec and run state in their directory
 * and outlive it, as QEMU processes outlive their agent, and the next process {@linkplain #adopt adopts} them. An
 * incoming VM's directory carries an {@code INCOMING} marker until it starts, so a crashed destination's leftovers
 * are found and removed on restart.
 */
public final class SimHypervisor implements Hypervisor {
  private static final Logger log = LoggerFactory.getLogger(SimHypervisor.class);
  static final String INCOMING_MARKER = "INCOMING";
  /** Default interval between guest steps: the resolution of downtime measurements. */
  public static final Duration DEFAULT_TICK = Duration.ofNanos(100_000);

  private final String hostName;
  private final Path stateDir;
  private final Clock clock;
  private final LongSupplier ticker;
  private final VmEventLog events;
  private final long tickNanos;
  private final Map<String, SimVm> vms = new ConcurrentHashMap<>();
  private volatile boolean durable;
  private volatile boolean reservedHugePages;

  /**
   * @param stateDir where disks and incoming markers live
   * @param clock wall clock for events and progress instants (microsecond precision is enough)
   * @param ticker monotonic nanoseconds for the guests' pacing
   * @param tick time between two guest steps
   */
  public SimHypervisor(String hostName, Path stateDir, Clock clock, LongSupplier ticker, VmEventLog events,
                       Duration tick) {
    this.hostName = hostName;
    this.stateDir = stateDir;
    this.clock = clock;
    this.ticker = ticker;
    this.events = events;
    this.tickNanos = tick.toNanos();
    if (tickNanos <= 0) {
      throw new IllegalArgumentException("sim tick must be positive, got " + tick);
    }
  }

  /** A sim hypervisor with the system clock, {@link System#nanoTime()} and the default tick. */
  public static SimHypervisor create(String hostName, Path stateDir, VmEventLog events) {
    return new SimHypervisor(hostName, stateDir, Clock.systemUTC(), System::nanoTime, events, DEFAULT_TICK);
  }

  /**
   * VMs defined from now on keep their RAM ({@code ram}, mapped), spec and run state in their directory and outlive
   * this process; {@link #close()} leaves them to the next process instead of destroying them.
   */
  public SimHypervisor durable() {
    this.durable = true;
    return this;
  }

  /**
   * VMs defined from now on take their guest RAM from the 2 MiB huge pages this host reserved,
   * as libvirt's {@code <hugepages/>} memory backing does, while the pool has free pages (ordinary memory after
   * that, with a warning). Reserved pages stay ready for the next VM when one leaves, where ordinary memory goes
   * back to the kernel and costs page faults when the next incoming VM takes it. Not for {@linkplain #durable
   * durable} VMs, whose RAM is their file.
   */
  public SimHypervisor reservedHugePages() {
    this.reservedHugePages = true;
    return this;
  }

  boolean usesReservedHugePages() {
    return reservedHugePages && !durable;
  }

  /**
   * Takes over the durable VMs a previous process left in the state directory (not incoming leftovers): running
   * ones run on, paused ones stay paused. Call once at start, before serving. Returns the names adopted.
   */
  public synchronized List<String> adopt() {
    Path root = stateDir.resolve("vms");
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<String> adopted = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.sorted().toList()) {
        String name = dir.getFileName().toString();
        Optional<VmSpec> spec = DurableVmFiles.readSpec(dir);
        if (vms.containsKey(name) || Files.exists(dir.resolve(INCOMING_MARKER)) || spec.isEmpty()) {
          continue;
        }
        io.ferry.v1.VmState recorded = DurableVmFiles.readState(dir);
        SimVm vm = new SimVm(this, spec.get(), dir, SimVm.Origin.ADOPTED, new DurableVmFiles(dir));
        vms.put(name, vm);
        vm.adopt(recorded);
        adopted.add(name);
        log.info("{}: adopted VM {}, left {} by the previous agent process", hostName, name,
            recorded.name().substring(3).toLowerCase(java.util.Locale.ROOT));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot scan " + root, e);
    }
    return adopted;
  }

  @Override
  public String name() {
    return "sim";
  }

  @Override
  public String hostName() {
    return hostName;
  }

  @Override
  public VirtualMachine define(VmSpec spec) {
    return create(spec, false);
  }

  @Override
  public VirtualMachine defineIncoming(VmSpec spec) {
    return create(spec, true);
  }

  private synchronized SimVm create(VmSpec spec, boolean incoming) {
    if (spec.getName().isBlank() || !spec.getName().matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("VM name '" + spec.getName() + "' must be letters, digits, '.', '_' or '-'");
    }
    if (vms.containsKey(spec.getName())) {
      throw new FerryException("VM " + spec.getName() + " already exists on " + hostName);
    }
    VmSpec sized = SimDisk.withSizes(spec);
    Path dir = stateDir.resolve("vms").resolve(spec.getName());
    try {
      Files.createDirectories(dir);
      if (incoming) {
        Files.writeString(dir.resolve(INCOMING_MARKER), "incoming migration, not yet started\n");
      }
    } catch (IOException e) {
      throw new FerryException("cannot create " + dir + ": " + e.getMessage(), e);
    }
    SimVm vm;
    try {
      vm = new SimVm(this, sized, dir, incoming ? SimVm.Origin.INCOMING : SimVm.Origin.NEW,
          durable ? new DurableVmFiles(dir) : null);
    } catch (RuntimeException e) {
      deleteTree(dir);
      throw e;
    }
    vms.put(spec.getName(), vm);
    return vm;
  }

  @Override
  public Optional<VirtualMachine> find(String name) {
    return Optional.ofNullable(vms.get(name));
  }

  @Override
  public List<VmUsage> list() {
    return vms.values().stream().map(SimVm::usage).sorted(Comparator.comparing(VmUsage::getName)).toList();
  }

  @Override
  public List<String> discardIncomingLeftovers() {
    Path root = stateDir.resolve("vms");
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<String> cleaned = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.toList()) {
        String name = dir.getFileName().toString();
        if (Files.exists(dir.resolve(INCOMING_MARKER)) && !vms.containsKey(name)) {
          deleteTree(dir);
          cleaned.add(name);
          log.info("{}: removed leftovers of interrupted incoming migration of VM {} ({})", hostName, name, dir);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot scan " + root, e);
    }
    return cleaned;
  }

  @Override
  public VmEventLog events() {
    return events;
  }

  @Override
  public void close() {
    if (durable) {
      vms.values().forEach(SimVm::detach);
      vms.clear();
    } else {
      vms.values().forEach(SimVm::destroy);
    }
  }

  Clock clock() {
    return clock;
  }

  LongSupplier ticker() {
    return ticker;
  }

  long tickNanos() {
    return tickNanos;
  }

  void incomingStarted(SimVm vm) {
    try {
      Files.deleteIfExists(stateDir.resolve("vms").resolve(vm.name()).resolve(INCOMING_MARKER));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear incoming marker of " + vm.name(), e);
    }
  }

  void removed(SimVm vm, Path dir) {
    vms.remove(vm.name(), vm);
    deleteTree(dir);
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
