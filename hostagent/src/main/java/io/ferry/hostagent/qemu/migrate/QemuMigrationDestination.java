package io.ferry.hostagent.qemu.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.common.HostPort;
import io.ferry.hostagent.qemu.launch.QemuVm;
import io.ferry.hostagent.qemu.qmp.QmpEvent;
import io.ferry.hostagent.qemu.qmp.QmpException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The destination agent's side of a QEMU migration. The VM was started with
 * {@link io.ferry.hostagent.qemu.launch.QemuLauncher#startIncoming}; {@link #listen} sets the capabilities the source
 * will use and runs {@code migrate-incoming}; {@link #awaitRunning} confirms the guest runs here (the commit point);
 * {@link #abort} kills this QEMU (the source keeps the VM).
 */
public final class QemuMigrationDestination {
  private final QemuVm vm;
  private final Duration qmpTimeout;
  private final CompletableFuture<QmpEvent> resumed;
  private InetSocketAddress listening;

  private QemuMigrationDestination(QemuVm vm, Duration qmpTimeout) {
    this.vm = vm;
    this.qmpTimeout = qmpTimeout;
    this.resumed = vm.qmp().nextEvent("RESUME", e -> true);
  }

  /**
   * Prepares {@code vm} to receive: capabilities and TLS as {@code options} say, then {@code migrate-incoming} on
   * {@code host:port} (port 0 = any free port; {@link #address} tells which).
   *
   * @param tlsDir QEMU's TLS directory (see {@link MigrationTls#writeQemuDirectory}); required when options.tls
   */
  public static QemuMigrationDestination listen(QemuVm vm, QemuMigrationOptions options, String host, int port,
      Optional<Path> tlsDir, Duration qmpTimeout) {
    QemuMigrationDestination d = new QemuMigrationDestination(vm, qmpTimeout);
    if (options.tls()) {
      MigrationTls.addCredentials(vm.qmp(), tlsDir.orElseThrow(
          () -> new IllegalArgumentException("TLS is on but no TLS directory was given")), true, qmpTimeout);
    }
    MigrationCapabilities.apply(vm.qmp(), options, false, qmpTimeout);
    vm.qmp().execute("migrate-incoming", Map.of("uri", "tcp:" + new HostPort(host, port)), qmpTimeout);
    d.listening = d.readAddress(host, port);
    return d;
  }

  /** Where the source should connect: {@code tcp:HOST:PORT} for QMP {@code migrate}. */
  public String uri() {
    return "tcp:" + new HostPort(listening.getHostString(), listening.getPort());
  }

  public InetSocketAddress address() {
    return listening;
  }

  public QemuVm vm() {
    return vm;
  }

  /**
   * Waits until the guest runs here. True once it does; false if it did not within {@code timeout} or this QEMU
   * died (then the source still owns the VM).
   */
  public boolean awaitRunning(Duration timeout) {
    if (isRunningQuietly()) {
      return true;
    }
    try {
      resumed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException | CancellationException e) {
      return vm.isAlive() && isRunningQuietly();
    }
  }

  /** Rolls back this side: kills the destination QEMU and removes its run directory. */
  public void abort() {
    resumed.cancel(false);
    vm.destroy();
  }

  /**
   * Post-copy recovery, destination half: listens again on {@code host:port} with {@code migrate-recover}; then the
   * source resumes with {@link QemuMigrationSource#resume}.
   */
  public String recover(String host, int port) {
    String uri = "tcp:" + new HostPort(host, port);
    vm.qmp().execute("migrate-recover", Map.of("uri", uri), qmpTimeout);
    return uri;
  }

  private boolean isRunningQuietly() {
    try {
      return "running".equals(vm.runState());
    } catch (QmpException e) {
      return false;
    }
  }

  private InetSocketAddress readAddress(String host, int port) {
    if (port != 0) {
      return InetSocketAddress.createUnresolved(host, port);
    }
    JsonNode addresses = vm.qmp().execute("query-migrate", qmpTimeout).path("socket-address");
    for (JsonNode a : addresses) {
      if ("inet".equals(a.path("type").asText())) {
        return InetSocketAddress.createUnresolved(a.path("host").asText(), a.path("port").asInt());
      }
    }
    throw new IllegalStateException("QEMU listens for the migration but did not say on which port: " + addresses);
  }
}
