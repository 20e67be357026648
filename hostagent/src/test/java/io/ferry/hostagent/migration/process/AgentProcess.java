package io.ferry.hostagent.migration.process;

import io.ferry.common.grpc.GrpcServers;
import io.ferry.common.tickets.TicketKeys;
import io.ferry.common.tickets.TicketVerifier;
import io.ferry.common.tls.TlsMaterial;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.hostagent.hypervisor.VmEventLog;
import io.ferry.hostagent.migration.MigrationEngine;
import io.ferry.hostagent.migration.MigrationSettings;
import io.ferry.hostagent.migration.MemoryImages;
import io.ferry.hostagent.sim.SimHypervisor;
import io.ferry.v1.MigrateVmRequest;
import io.ferry.v1.VmSpec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A minimal agent process for two-process migration tests: a sim hypervisor, a migration engine and its gRPC
 * server. Talks to the test through files in its work directory:
 * <ul>
 *   <li>writes {@code endpoint} once serving, and {@code cleaned} with the leftovers it removed at start;</li>
 *   <li>starts the VM in {@code vm.spec} (a serialized VmSpec) if present;</li>
 *   <li>runs the migration in {@code migrate.req} (a serialized MigrateVmRequest) when that file appears;</li>
 *   <li>rewrites {@code status} every 100 ms: one line per VM {@code name state counter digest-without-page-0}.</li>
 * </ul>
 * Arguments: {@code name certDir workDir ticketPublicKey eventsFile idleTimeoutMillis}.
 */
public final class AgentProcess {
  private AgentProcess() {}

  public static void main(String[] args) throws Exception {
    String name = args[0];
    TlsMaterial tls = TlsMaterial.fromDirectory(Path.of(args[1]));
    Path work = Path.of(args[2]);
    Files.createDirectories(work);
    VmEventLog events = VmEventLog.appendingTo(Path.of(args[4]));
    SimHypervisor hypervisor = SimHypervisor.create(name, work.resolve("state"), events);
    List<String> cleaned = hypervisor.discardIncomingLeftovers();
    AtomicReference<String> self = new AtomicReference<>();
    MigrationEngine engine = new MigrationEngine(name, self::get, hypervisor, tls,
        new TicketVerifier(TicketKeys.readPublic(Path.of(args[3])), name, Clock.systemUTC()),
        new SimpleMeterRegistry(), Clock.systemUTC(),
        MigrationSettings.defaults().withIncomingIdleTimeout(Duration.ofMillis(Long.parseLong(args[5]))));
    var server = GrpcServers.start("agent-" + name, "127.0.0.1", 0, tls, List.of(engine.peerService()));
    self.set("localhost:" + server.getPort());
    if (Files.exists(work.resolve("vm.spec"))) {
      hypervisor.define(VmSpec.parseFrom(Files.readAllBytes(work.resolve("vm.spec")))).start();
    }
    write(work, "cleaned", String.join("\n", cleaned));
    write(work, "endpoint", self.get());
    ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
    loop.scheduleWithFixedDelay(() -> {
      try {
        Path req = work.resolve("migrate.req");
        if (Files.exists(req)) {
          MigrateVmRequest r = MigrateVmRequest.parseFrom(Files.readAllBytes(req));
          Files.delete(req);
          engine.start(r);
        }
        StringBuilder s = new StringBuilder();
        for (var usage : hypervisor.list()) {
          VirtualMachine vm = hypervisor.find(usage.getName()).orElseThrow();
          s.append(vm.name()).append(' ').append(vm.state()).append(' ').append(vm.progressCounter()).append(' ')
              .append(MemoryImages.memoryWithoutCounterPage(vm)).append('\n');
        }
        write(work, "status", s.toString());
      } catch (Exception e) {
        e.printStackTrace();
      }
    }, 0, 100, TimeUnit.MILLISECONDS);
    Thread.currentThread().join();
  }

  private static void write(Path dir, String file, String content) throws java.io.IOException {
    Path tmp = dir.resolve(file + ".tmp");
    Files.writeString(tmp, content);
    Files.move(tmp, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
