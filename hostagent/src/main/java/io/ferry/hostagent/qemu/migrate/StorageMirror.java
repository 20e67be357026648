package io.ferry.hostagent.qemu.migrate;

import io.ferry.hostagent.qemu.launch.QemuCommandLine;
import io.ferry.hostagent.qemu.launch.QemuVm;
import io.ferry.hostagent.qemu.qmp.QmpClient;
import io.ferry.hostagent.qemu.qmp.QmpEvent;
import io.ferry.v1.VmSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Storage migration without shared storage, libvirt's procedure: the destination exports its (empty, same-size)
 * disks over NBD ({@link #export}); the source mirrors every disk into them with {@code blockdev-mirror} in
 * write-blocking mode and waits for {@code BLOCK_JOB_READY} ({@link #start}, {@link Mirror#awaitReady}); then RAM
 * migrates; once it completed, {@link Mirror#complete} ends the jobs with the target in sync, and the destination
 * stops its NBD server ({@link #stopExport}).
 */
public final class StorageMirror {
  private StorageMirror() {}

  /** The block nodes of {@code spec}'s writable disks. */
  public static List<String> diskNodes(VmSpec spec) {
    List<String> nodes = new ArrayList<>();
    for (int i = 0; i < spec.getDisksCount(); i++) {
      if (!spec.getDisks(i).getReadOnly()) {
        nodes.add(QemuCommandLine.diskNode(i));
      }
    }
    return nodes;
  }

  /** Destination: starts the NBD server on {@code host:port} and exports every writable disk. */
  public static NbdExport export(QemuVm destination, String host, int port, boolean tls, Duration timeout) {
    Map<String, Object> args = new HashMap<>();
    args.put("addr", Map.of("type", "inet", "data", Map.of("host", host, "port", String.valueOf(port))));
    if (tls) {
      args.put("tls-creds", MigrationTls.CREDS_ID);
    }
    QmpClient qmp = destination.qmp();
    qmp.execute("nbd-server-start", args, timeout);
    List<String> nodes = diskNodes(destination.spec());
    for (String node : nodes) {
      qmp.execute("block-export-add", Map.of("type", "nbd", "id", "export-" + node, "node-name", node,
          "name", node, "writable", true), timeout);
    }
    return new NbdExport(host, port, nodes, tls);
  }

  /** Destination: stops exporting after the migration (or its rollback). */
  public static void stopExport(QemuVm destination, Duration timeout) {
    destination.qmp().execute("nbd-server-stop", timeout);
  }

  /** Source: connects to the destination's exports and starts one mirror job per disk. */
  public static Mirror start(QemuVm source, NbdExport target, Duration timeout) {
    QmpClient qmp = source.qmp();
    List<CompletableFuture<QmpEvent>> ready = new ArrayList<>();
    List<String> jobs = new ArrayList<>();
    for (String node : target.exportNames()) {
      String job = "mirror-" + node;
      Map<String, Object> server = Map.of("type", "inet", "host", target.host(),
          "port", String.valueOf(target.port()));
      Map<String, Object> nbd = new HashMap<>(Map.of("driver", "nbd", "node-name", "nbd-" + node,
          "server", server, "export", node));
      if (target.tls()) {
        nbd.put("tls-creds", MigrationTls.CREDS_ID);
      }
      qmp.execute("blockdev-add", nbd, timeout);
      ready.add(qmp.nextEvent("BLOCK_JOB_READY", e -> job.equals(e.text("device"))));
      qmp.execute("blockdev-mirror", Map.of("job-id", job, "device", node, "target", "nbd-" + node,
          "sync", "full", "copy-mode", "write-blocking"), timeout);
      jobs.add(job);
    }
    return new Mirror(qmp, jobs, ready, timeout);
  }

  /** The source's running mirror jobs. */
  public static final class Mirror {
    private final QmpClient qmp;
    private final List<String> jobs;
    private final List<CompletableFuture<QmpEvent>> ready;
    private final Duration timeout;

    private Mirror(QmpClient qmp, List<String> jobs, List<CompletableFuture<QmpEvent>> ready, Duration timeout) {
      this.qmp = qmp;
      this.jobs = jobs;
      this.ready = ready;
      this.timeout = timeout;
    }

    /** True once every job reached BLOCK_JOB_READY within {@code limit}. */
    public boolean awaitReady(Duration limit) {
      return allWithin(ready, limit);
    }

    /** Like {@link #awaitReady(Duration)}, but gives up early (false) when {@code abort} completes. */
    boolean awaitReady(Duration limit, CompletableFuture<?> abort) {
      CompletableFuture<Object> either = CompletableFuture.anyOf(
          CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)), abort);
      try {
        either.get(limit.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } catch (ExecutionException | TimeoutException e) {
        return false;
      }
      return ready.stream().allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    }

    /** Bytes copied so far over all jobs. */
    public long bytesCopied() {
      long sum = 0;
      for (var j : qmp.execute("query-block-jobs", timeout)) {
        if (jobs.contains(j.path("device").asText())) {
          sum += j.path("offset").asLong();
        }
      }
      return sum;
    }

    /**
     * Ends the jobs after RAM migrated (the source is paused): cancelling a ready mirror leaves the target in sync
     * without switching the source over to it. Waits for each job's completion event.
     */
    public void complete() {
      finish(false);
    }

    /** Rollback: stops copying; the destination's disks are discarded with it. */
    public void abandon() {
      finish(true);
    }

    private void finish(boolean force) {
      List<CompletableFuture<QmpEvent>> done = new ArrayList<>();
      for (String job : jobs) {
        String event = force ? "BLOCK_JOB_CANCELLED" : "BLOCK_JOB_COMPLETED";
        done.add(qmp.nextEvent(event, e -> job.equals(e.text("device"))));
        qmp.execute("block-job-cancel", Map.of("device", job, "force", force), timeout);
      }
      allWithin(done, timeout);
    }
  }

  private static boolean allWithin(List<CompletableFuture<QmpEvent>> events, Duration limit) {
    try {
      CompletableFuture.allOf(events.toArray(CompletableFuture[]::new)).get(limit.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }
}
