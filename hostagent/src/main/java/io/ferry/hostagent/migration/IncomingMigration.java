package io.ferry.hostagent.migration;

import io.ferry.hostagent.hypervisor.BlockDevice;
import io.ferry.hostagent.hypervisor.DirtyBitmap;
import io.ferry.hostagent.hypervisor.PageAccess;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.hostagent.migration.codec.Checksums;
import io.ferry.hostagent.migration.codec.ChunkDecoder;
import io.ferry.hostagent.migration.codec.UnitStore;
import io.ferry.hostagent.migration.transfer.ReceivedChunk;
import io.ferry.v1.ChunkKind;
import io.ferry.v1.SwitchoverRequest;
import io.ferry.v1.SwitchoverResponse;
import io.ferry.v1.TransferChunk;
import io.grpc.Status;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destination's side of one migration: the incoming VM (never running before the switchover), the chunks
 * applied to it, and the decision to start it or discard it. Discarding destroys the VM and its disks.
 */
final class IncomingMigration implements IncomingSide {
  private static final Logger log = LoggerFactory.getLogger(IncomingMigration.class);

  private static final java.security.SecureRandom TOKENS = new java.security.SecureRandom();

  private final EngineContext ctx;
  private final String migrationId;
  private final String sourceEndpoint;
  private final VirtualMachine vm;
  private final PageAccess access;
  private final UnitStore memory;
  private final UnitStore memoryPostCopy;
  private final List<UnitStore> disks = new ArrayList<>();
  private final AtomicLong chunks = new AtomicLong();
  // what each data channel connection of this migration presents (any cluster member could open one: mTLS proves
  // membership, this proves it is the source this migration was prepared for)
  private final byte[] dataToken = new byte[16];
  private volatile State state = State.PREPARED;
  /** Why it was discarded (written before {@link #state} becomes DISCARDED). */
  private volatile String discardedBecause;
  private volatile long lastActivityNanos;
  private volatile byte[] deviceState;
  private volatile boolean postCopy;
  private PostCopyFetcher fetcher;
  private SwitchoverResponse switchoverAnswer;

  IncomingMigration(EngineContext ctx, String migrationId, String sourceEndpoint, VirtualMachine vm) {
    TOKENS.nextBytes(dataToken);
    this.ctx = ctx;
    this.migrationId = migrationId;
    this.sourceEndpoint = sourceEndpoint;
    this.vm = vm;
    this.access = (PageAccess) vm.migrationSupport();
    this.memory = UnitStore.of(access.memory());
    this.memoryPostCopy = UnitStore.of(access.memory(), true);
    List<BlockDevice> ds = access.disks();
    for (int i = 0; i < ds.size(); i++) {
      disks.add(UnitStore.of(ds.get(i), i));
    }
    touch();
  }

  @Override
  public String migrationId() {
    return migrationId;
  }

  @Override
  public State state() {
    return state;
  }

  @Override
  public boolean abandoned(long idleLimitNanos) {
    return state == State.PREPARED && idleNanos() > idleLimitNanos;
  }

  long idleNanos() {
    return ctx.nanos() - lastActivityNanos;
  }

  void touch() {
    lastActivityNanos = ctx.nanos();
  }

  /** Applies one chunk (already checked for order); returns a problem description, or null. */
  byte[] dataToken() {
    return dataToken.clone();
  }

  boolean acceptsDataToken(byte[] presented) {
    return java.security.MessageDigest.isEqual(dataToken, presented);
  }

  /**
   * Whether an open data channel connection of this migration can only be stale: the migration was discarded, or it
   * committed and nothing arrived for {@code idleLimitNanos} (a source ends its streams right after the commit).
   */
  boolean connectionsStale(long idleLimitNanos) {
    State s = state;
    return s == State.DISCARDED || s == State.COMMITTED && idleNanos() > idleLimitNanos;
  }

  String apply(ReceivedChunk received) {
    TransferChunk c = received.chunk();
    touch();
    State s = state;
    if (s == State.DISCARDED) {
      // another stream's problem discarded it: its reason is the one the source should see, whichever stream ends first
      return discardedProblem();
    }
    if (s == State.COMMITTED && !postCopy) {
      return "migration " + migrationId + " is " + s + ": no more chunks accepted";
    }
    if (s != State.PREPARED && !(postCopy && c.getKind() == ChunkKind.RAM)) {
      return c.getKind() + " chunk after the switchover of " + migrationId;
    }
    if (c.getKind() == ChunkKind.DEVICE_STATE) {
      ByteBuffer gathered = ByteBuffer.allocate(received.payloadBytes());
      received.payload().forEach(p -> gathered.put(p.duplicate()));
      byte[] b = gathered.array();
      if (Checksums.crc32c(b, 0, b.length) != c.getChecksum()) {
        return "device state chunk " + c.getSequence() + " failed its CRC32C check";
      }
      deviceState = b;
      chunks.incrementAndGet();
      return null;
    }
    UnitStore store;
    if (c.getKind() == ChunkKind.RAM) {
      store = s == State.PREPARED ? memory : memoryPostCopy;
    } else if (c.getKind() == ChunkKind.DISK && c.getDisk() < disks.size()) {
      store = disks.get(c.getDisk());
    } else {
      return "chunk " + c.getSequence() + " has unknown kind " + c.getKind() + " / disk " + c.getDisk();
    }
    ChunkDecoder.Applied applied;
    try {
      applied = ChunkDecoder.apply(c, received.payload(), store);
    } catch (IllegalStateException e) {
      if (state != State.DISCARDED) {
        throw e;
      }
      // another stream discarded it while this chunk was being written: its memory is gone, its reason stands
      return discardedProblem();
    }
    if (!applied.ok()) {
      return applied.problem();
    }
    if (s == State.PREPARED) {
      chunks.incrementAndGet();
    }
    return null;
  }

  private String discardedProblem() {
    return "migration " + migrationId + " was discarded: " + discardedBecause;
  }

  /** Verifies what arrived and starts the VM; on a mismatch discards it and throws the status to report. */
  @Override
  public synchronized SwitchoverResponse switchover(SwitchoverRequest req) {
    touch();
    if (state == State.RUNNING && switchoverAnswer != null) {
      return switchoverAnswer;
    }
    if (state != State.PREPARED) {
      throw Status.FAILED_PRECONDITION.withDescription("migration " + migrationId + " is " + state)
          .asRuntimeException();
    }
    if (chunks.get() != req.getLastSequence()) {
      throw refuse(Status.DATA_LOSS, "received " + chunks.get() + " chunks but the source sent "
          + req.getLastSequence());
    }
    if (deviceState != null) {
      access.loadDeviceState(deviceState);
    }
    access.disks().forEach(BlockDevice::flush);
    if (!req.getMemoryDigest().isEmpty() && !Arrays.equals(req.getMemoryDigest().toByteArray(),
        Checksums.digest(access.memory()))) {
      throw refuse(Status.DATA_LOSS, "memory digest differs from the source's at the pause");
    }
    if (!req.getDiskDigest().isEmpty() && !Arrays.equals(req.getDiskDigest().toByteArray(),
        Checksums.digest(access.disks()))) {
      throw refuse(Status.DATA_LOSS, "disk digest differs from the source's at the pause");
    }
    if (req.getPostCopy()) {
      postCopy = true;
      DirtyBitmap missing = DirtyBitmap.fromByteArray(req.getMissingPages().toByteArray(),
          access.memory().pageCount());
      fetcher = new PostCopyFetcher(ctx, migrationId, sourceEndpoint, access.memory());
      fetcher.start();
      access.memory().armPostCopy(missing, fetcher::onFault);
    }
    state = State.RUNNING;
    vm.start();
    Instant resumed;
    try {
      resumed = vm.firstProgressAfterStart().get(ctx.settings().rpcTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
    } catch (ExecutionException | TimeoutException e) {
      resumed = ctx.clock().instant();
      log.warn("migration {}: VM {} started but made no progress within {}", migrationId, vm.name(),
          ctx.settings().rpcTimeout());
    }
    log.info("migration {}: VM {} runs here now ({}), counter {} at the source's pause", migrationId, vm.name(),
        postCopy ? "post-copy, fetching missing pages" : "pre-copy complete", req.getProgressCounter());
    ctx.settings().failpoints().hit("migration.destination.switchover", vm.name());
    switchoverAnswer = SwitchoverResponse.newBuilder().setRunning(true)
        .setResumedAt(Wire.timestamp(resumed)).setProgressCounter(vm.progressCounter()).build();
    return switchoverAnswer;
  }

  @Override
  public synchronized void commit() {
    if (state == State.DISCARDED) {
      throw Status.FAILED_PRECONDITION.withDescription("migration " + migrationId + " was discarded")
          .asRuntimeException();
    }
    state = State.COMMITTED;
    if (fetcher != null && access.memory().missingPageCount() == 0) {
      fetcher.close();
    }
    log.info("migration {}: committed; VM {} belongs to this host", migrationId, vm.name());
  }

  /** Destroys the incoming VM unless the migration committed. Idempotent. */
  @Override
  public synchronized boolean discard(String reason) {
    if (state == State.COMMITTED || state == State.DISCARDED) {
      return state == State.DISCARDED;
    }
    discardedBecause = reason;
    state = State.DISCARDED;
    if (fetcher != null) {
      fetcher.close();
    }
    vm.destroy();
    log.info("migration {}: discarded incoming VM {}: {}", migrationId, vm.name(), reason);
    return true;
  }

  long postCopyFaults() {
    return fetcher == null ? 0 : fetcher.faults();
  }

  private RuntimeException refuse(Status status, String why) {
    discard(why);
    return status.withDescription("migration " + migrationId + ": " + why + "; incoming VM discarded")
        .asRuntimeException();
  }
}
