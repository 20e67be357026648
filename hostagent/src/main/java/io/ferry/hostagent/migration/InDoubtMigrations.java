package io.ferry.hostagent.migration;

import io.ferry.common.FerryException;
import io.ferry.common.grpc.GrpcServers;
import io.ferry.common.tls.TlsMaterial;
import io.ferry.v1.AbortRequest;
import io.ferry.v1.GetInventoryRequest;
import io.ferry.v1.HostAgentGrpc;
import io.ferry.v1.Inventory;
import io.ferry.v1.MigrateVmRequest;
import io.ferry.v1.MigrationPeerGrpc;
import io.ferry.v1.VmState;
import io.ferry.v1.VmUsage;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outgoing migrations whose VM is paused on this host while the destination may already run it: from the pause at
 * the switchover until the source knows the outcome. When the switchover call fails, or the agent dies during it,
 * only the destination can tell which copy is the VM, so the paused copy waits for its answer — it never resumes on
 * a guess. A record per migration ({@code <dir>/<id>.pb}, the MigrateVmRequest) is written before the pause and
 * removed once the VM is no longer paused here, so an agent restarted after a crash finds what it must settle.
 */
final class InDoubtMigrations implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InDoubtMigrations.class);
  private static final Duration FIRST_RETRY = Duration.ofMillis(500);
  private static final Duration MAX_RETRY = Duration.ofSeconds(5);

  /** What the destination says of the VM. */
  enum Answer { DESTINATION_RUNS_IT, DESTINATION_DOES_NOT }

  private final String hostName;
  private final TlsMaterial tls;
  private final Duration rpcTimeout;
  private final Path dir;
  private volatile boolean closed;

  /** @param dir where records are kept across restarts; null: in memory only (VMs that die with the agent) */
  InDoubtMigrations(String hostName, TlsMaterial tls, Duration rpcTimeout, Path dir) {
    this.hostName = hostName;
    this.tls = tls;
    this.rpcTimeout = rpcTimeout;
    this.dir = dir;
  }

  /** Records {@code r} before its VM is paused for the switchover. */
  void record(MigrateVmRequest r) {
    if (dir == null) {
      return;
    }
    try {
      Files.createDirectories(dir);
      Path tmp = dir.resolve(r.getMigrationId() + ".tmp");
      Files.write(tmp, r.toByteArray());
      Files.move(tmp, file(r.getMigrationId()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new FerryException("cannot record migration " + r.getMigrationId() + " in " + dir + ": " + e.getMessage(),
          e);
    }
  }

  /** The VM of migration {@code id} is no longer paused here: nothing to settle. */
  void forget(String id) {
    if (dir == null) {
      return;
    }
    try {
      Files.deleteIfExists(file(id));
    } catch (IOException e) {
      log.warn("{}: cannot remove the record of migration {}: {}", hostName, id, e.getMessage());
    }
  }

  /** The records a previous agent process left: migrations it had paused a VM for and not settled. */
  List<MigrateVmRequest> left() {
    if (dir == null || !Files.isDirectory(dir)) {
      return List.of();
    }
    List<MigrateVmRequest> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".pb")).sorted().toList()) {
        out.add(MigrateVmRequest.parseFrom(Files.readAllBytes(f)));
      }
    } catch (IOException e) {
      throw new FerryException("cannot read in-doubt migrations in " + dir + ": " + e.getMessage(), e);
    }
    return out;
  }

  private Path file(String id) {
    return dir.resolve(id + ".pb");
  }

  /**
   * Asks the destination of {@code r} whether it runs the VM, until it answers (retrying with back-off while it is
   * unreachable); empty only when this engine closes first. A destination that still holds an incoming copy it never
   * started is told to discard it first, so that it cannot start it later.
   */
  Optional<Answer> ask(MigrateVmRequest r) {
    Duration wait = FIRST_RETRY;
    while (!closed) {
      Optional<Answer> a = askOnce(r);
      if (a.isPresent()) {
        return a;
      }
      try {
        TimeUnit.MILLISECONDS.sleep(wait.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
      wait = wait.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : wait.multipliedBy(2);
    }
    return Optional.empty();
  }

  private Optional<Answer> askOnce(MigrateVmRequest r) {
    ManagedChannel ch = GrpcServers.channel(r.getDestinationEndpoint(), tls);
    try {
      for (int round = 0; round < 2; round++) {
        Inventory inv = HostAgentGrpc.newBlockingStub(ch).withDeadlineAfter(rpcTimeout.toMillis(),
            TimeUnit.MILLISECONDS).getInventory(GetInventoryRequest.getDefaultInstance());
        Optional<VmUsage> copy = inv.getVmsList().stream().filter(v -> v.getName().equals(r.getVm())).findFirst();
        if (copy.isEmpty()) {
          return Optional.of(Answer.DESTINATION_DOES_NOT);
        }
        if (copy.get().getState() != VmState.VM_MIGRATING_IN) {
          return Optional.of(Answer.DESTINATION_RUNS_IT);
        }
        try {
          MigrationPeerGrpc.newBlockingStub(ch).withDeadlineAfter(rpcTimeout.toMillis(), TimeUnit.MILLISECONDS)
              .abort(AbortRequest.newBuilder().setMigrationId(r.getMigrationId())
                  .setReason("the source settles its interrupted switchover").build());
        } catch (StatusRuntimeException e) {
          if (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION) {
            return Optional.of(Answer.DESTINATION_RUNS_IT); // committed there meanwhile
          }
          throw e;
        }
        // discarded: look again, to see the copy gone
      }
      return Optional.empty();
    } catch (StatusRuntimeException e) {
      log.info("{}: migration {}: {} cannot tell yet whether it runs VM {} ({}); VM stays paused here", hostName,
          r.getMigrationId(), r.getDestinationHost(), r.getVm(), e.getStatus().getCode());
      return Optional.empty();
    } finally {
      GrpcServers.shutdown(ch);
    }
  }

  @Override
  public void close() {
    closed = true;
  }
}
