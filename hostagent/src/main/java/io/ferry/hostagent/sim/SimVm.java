package io.ferry.hostagent.sim;

import com.google.protobuf.Timestamp;
import io.ferry.common.FerryException;
import io.ferry.hostagent.hypervisor.BlockDevice;
import io.ferry.hostagent.hypervisor.GuestMemory;
import io.ferry.hostagent.hypervisor.MigrationSupport;
import io.ferry.hostagent.hypervisor.PageAccess;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.hostagent.hypervisor.VmEvent;
import io.ferry.v1.DiskSpec;
import io.ferry.v1.SimWorkload;
import io.ferry.v1.VmSpec;
import io.ferry.v1.VmState;
import io.ferry.v1.VmUsage;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/** A sim VM: off-heap RAM, file-backed disks and vCPU threads running its {@link SimWorkload}. */
final class SimVm implements VirtualMachine, PageAccess {
  private static final int MAX_VCPU_THREADS = 4;
  static final String BYTES_PER_WRITE_OPTION = "sim.bytes_per_write";

  private final SimHypervisor host;
  private final VmSpec spec;
  private final SimMemory memory;
  private final List<SimDisk> disks = new ArrayList<>();
  private final Path dir;
  private final DurableVmFiles files;
  private final VcpuGate gate;
  private final int vcpuThreads;
  private final List<SimVcpu> vcpus = new ArrayList<>();
  private long[] restoredCursors;
  private volatile VmState state;
  private volatile boolean destroyed;
  private volatile long counterAtDestroy;
  private volatile double throttle;
  private volatile Instant lastProgressAt;
  private volatile Instant startedAt;
  private volatile CompletableFuture<Instant> firstProgress = new CompletableFuture<>();

  /** How the VM comes into being: a new VM, an empty incoming copy, or one adopted from a previous agent process. */
  enum Origin { NEW, INCOMING, ADOPTED }

  /**
   * @param files null: the VM lives as long as this process; otherwise it keeps its spec, RAM and run state there
   *     and outlives the process
   */
  SimVm(SimHypervisor host, VmSpec spec, Path dir, Origin origin, DurableVmFiles files) {
    this.host = host;
    this.spec = spec;
    this.dir = dir;
    this.files = files;
    boolean incoming = origin == Origin.INCOMING;
    this.memory = new SimMemory(spec.getMemoryBytes(), files == null ? null : files.ram(),
        host.usesReservedHugePages());
    for (int i = 0; i < spec.getDisksCount(); i++) {
      DiskSpec d = spec.getDisks(i);
      disks.add(new SimDisk(dir.resolve("disk" + i + ".img"), d.getSizeBytes()));
    }
    this.vcpuThreads = Math.max(1, Math.min(MAX_VCPU_THREADS, spec.getVcpus()));
    this.gate = new VcpuGate(vcpuThreads);
    this.state = incoming ? VmState.VM_MIGRATING_IN : VmState.VM_STOPPED;
    if (origin == Origin.NEW && spec.getSim().getMemoryTouchedBytes() > 0) {
      memory.fillPseudoRandom(spec.getSim().getMemoryTouchedBytes(), spec.getName().hashCode());
    }
    if (files != null && origin != Origin.ADOPTED) {
      files.writeSpec(spec);
    }
  }

  /**
   * Takes over a durable VM that a previous agent process left in {@code recorded} state: a running VM runs on (and
   * says so in the event log, since the process that ran it is gone), a paused one stays paused for the migration
   * engine to resolve, a stopped one stays defined.
   */
  synchronized void adopt(VmState recorded) {
    if (recorded == VmState.VM_RUNNING || recorded == VmState.VM_PAUSED) {
      startVcpus();
      startedAt = host.clock().instant();
    }
    if (recorded == VmState.VM_RUNNING) {
      markRunning();
    } else if (recorded == VmState.VM_PAUSED) {
      state = VmState.VM_PAUSED;
    }
  }

  @Override
  public String name() {
    return spec.getName();
  }

  @Override
  public VmSpec spec() {
    return spec;
  }

  @Override
  public VmState state() {
    return state;
  }

  @Override
  public synchronized void start() {
    if (state == VmState.VM_RUNNING) {
      return;
    }
    if (state == VmState.VM_PAUSED) {
      resume();
      return;
    }
    requireNotDestroyed("start");
    // a durable incoming VM must read as running before it stops reading as incoming: a process killed in between
    // then leaves an incoming leftover (discarded on restart), never a VM that ran without saying so
    persist(VmState.VM_RUNNING);
    host.incomingStarted(this);
    startVcpus();
    markRunning();
    startedAt = host.clock().instant();
  }

  @Override
  public synchronized void pause() {
    if (state != VmState.VM_RUNNING) {
      return;
    }
    gate.pauseAndWait();
    state = VmState.VM_PAUSED;
    host.events().record(new VmEvent(host.clock().instant(), host.hostName(), name(), VmEvent.Kind.STOPPED));
    persist(VmState.VM_PAUSED);
  }

  @Override
  public synchronized void resume() {
    if (state != VmState.VM_PAUSED) {
      return;
    }
    persist(VmState.VM_RUNNING);
    markRunning();
  }

  /**
   * This process lets go of a durable VM without stopping it (the agent stops or restarts): vCPU threads end, RAM is
   * unmapped, files stay for the next agent process to adopt. Nothing is logged: the VM did not stop.
   */
  synchronized void detach() {
    if (destroyed) {
      return;
    }
    destroyed = true;
    if (!vcpus.isEmpty()) {
      gate.stopAndWait();
    }
    disks.forEach(SimDisk::close);
    disks.clear();
    counterAtDestroy = memory.guestReadLong(0, 0);
    memory.release();
  }

  private void persist(VmState s) {
    if (files != null) {
      files.writeState(s);
    }
  }

  @Override
  public synchronized void destroy() {
    if (destroyed) {
      return;
    }
    destroyed = true;
    boolean wasRunning = state == VmState.VM_RUNNING;
    if (!vcpus.isEmpty()) {
      gate.stopAndWait();
    }
    state = VmState.VM_STOPPED;
    if (wasRunning) {
      host.events().record(new VmEvent(host.clock().instant(), host.hostName(), name(), VmEvent.Kind.STOPPED));
    }
    disks.forEach(SimDisk::close);
    disks.clear();
    counterAtDestroy = memory.guestReadLong(0, 0);
    memory.release();
    host.removed(this, dir);
  }

  private void markRunning() {
    firstProgress = new CompletableFuture<>();
    host.events().record(new VmEvent(host.clock().instant(), host.hostName(), name(), VmEvent.Kind.RUNNING));
    state = VmState.VM_RUNNING;
    gate.run();
  }

  private void startVcpus() {
    SimWorkload w = spec.getSim();
    PagePicker.Pattern pattern = PagePicker.Pattern.parse(w.getPattern());
    double pagesPerSecond = w.getDirtyRateBytesPerSecond() / SimMemory.PAGE_BYTES / vcpuThreads;
    long blockCount = disks.isEmpty() ? 0 : disks.get(0).blockCount();
    double blocksPerSecond = w.getDiskWriteBytesPerSecond() / SimDisk.BLOCK_BYTES;
    for (int i = 0; i < vcpuThreads; i++) {
      long cursor = restoredCursors != null && i < restoredCursors.length ? restoredCursors[i] : 0;
      long seed = host.ticker().getAsLong() * 31 + i;
      SimVcpu vcpu = new SimVcpu(this, i, new PagePicker(pattern, memory.pageCount(), w.getHotSetRatio(), seed, cursor),
          pagesPerSecond, new PagePicker(PagePicker.Pattern.UNIFORM, blockCount, 1, seed + 7, 0),
          i == 0 ? blocksPerSecond : 0);
      vcpus.add(vcpu);
      Thread t = new Thread(vcpu, "sim-" + host.hostName() + "-" + name() + "-vcpu" + i);
      t.setDaemon(true);
      t.start();
    }
  }

  /** vCPU 0: one guest step. The counter lives in guest RAM, so it migrates with the memory. */
  void stepProgress() {
    long next = memory.guestReadLong(0, 0) + 1;
    if (memory.guestWriteLong(0, 0, next, gate::running)) {
      Instant now = host.clock().instant();
      lastProgressAt = now;
      CompletableFuture<Instant> f = firstProgress;
      if (!f.isDone()) {
        f.complete(now);
      }
    }
  }

  @Override
  public VmUsage usage() {
    SimWorkload w = spec.getSim();
    boolean running = state == VmState.VM_RUNNING;
    double speed = running ? 1 - throttle : 0;
    VmUsage.Builder b = VmUsage.newBuilder().setName(name()).setAccelerator("sim").setState(state)
        .setVcpus(spec.getVcpus())
        .setMemoryBytes(spec.getMemoryBytes())
        .setCpuUsageCores(w.getCpuDemandCores() * speed)
        .setMemoryUsedBytes(Math.min(spec.getMemoryBytes(), Math.max(w.getMemoryTouchedBytes(), SimMemory.PAGE_BYTES)))
        .setDirtyRateBytesPerSecond(w.getDirtyRateBytesPerSecond() * speed)
        .putAllLabels(spec.getLabelsMap()).setCpuModel(spec.getCpuModel())
        .addAllCpuFeatures(spec.getCpuFeaturesList())
        .setDiskBytes(disks.stream().mapToLong(d -> d.blockCount() * d.blockSizeBytes()).sum());
    Instant s = startedAt;
    if (s != null) {
      b.setStartedAt(Timestamp.newBuilder().setSeconds(s.getEpochSecond()).setNanos(s.getNano()));
    }
    return b.build();
  }

  @Override
  public long progressCounter() {
    return destroyed ? counterAtDestroy : memory.guestReadLong(0, 0);
  }

  @Override
  public Instant lastProgressAt() {
    return lastProgressAt;
  }

  @Override
  public CompletableFuture<Instant> firstProgressAfterStart() {
    return firstProgress;
  }

  @Override
  public void throttle(double ratio) {
    if (ratio < 0 || ratio > 0.99) {
      throw new IllegalArgumentException("throttle ratio must be within 0..0.99, got " + ratio);
    }
    throttle = ratio;
  }

  @Override
  public double throttleRatio() {
    return throttle;
  }

  @Override
  public MigrationSupport migrationSupport() {
    return this;
  }

  @Override
  public GuestMemory memory() {
    return memory;
  }

  SimMemory simMemory() {
    return memory;
  }

  @Override
  public List<BlockDevice> disks() {
    return List.copyOf(disks);
  }

  SimDisk disk() {
    return disks.isEmpty() ? null : disks.get(0);
  }

  /** vCPU state: the throttle and each vCPU's sweep cursor (the progress counter travels in RAM). */
  @Override
  public synchronized byte[] saveDeviceState() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(vcpus.size());
      for (SimVcpu v : vcpus) {
        out.writeLong(v.sweepCursor());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  @Override
  public synchronized void loadDeviceState(byte[] state) {
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(state))) {
      long[] cursors = new long[in.readInt()];
      for (int i = 0; i < cursors.length; i++) {
        cursors[i] = in.readLong();
      }
      restoredCursors = cursors;
    } catch (IOException e) {
      throw new FerryException("device state of " + name() + " is corrupt: " + e.getMessage(), e);
    }
  }

  /**
   * Bytes a vCPU rewrites in each page it dirties: option {@code sim.bytes_per_write} (8..4096, default 4096, a
   * whole page of fresh data: delta encoding and compression cannot shrink it).
   */
  int bytesPerWrite() {
    String v = spec.getOptionsOrDefault(BYTES_PER_WRITE_OPTION, "4096");
    int n = Integer.parseInt(v.trim());
    if (n < 8 || n > SimMemory.PAGE_BYTES) {
      throw new IllegalArgumentException(BYTES_PER_WRITE_OPTION + " must be 8..4096, got " + v);
    }
    return n & ~7;
  }

  VcpuGate gate() {
    return gate;
  }

  LongSupplier ticker() {
    return host.ticker();
  }

  long tickNanos() {
    return host.tickNanos();
  }

  private void requireNotDestroyed(String action) {
    if (destroyed) {
      throw new FerryException("cannot " + action + " VM " + name() + ": it was destroyed");
    }
  }
}
