package io.ferry.cli.commands;

import com.google.protobuf.util.JsonFormat;
import io.ferry.cli.client.AdminClient;
import io.ferry.cli.client.ClusterOptions;
import io.ferry.cli.client.RequestOptions;
import io.ferry.common.FerryException;
import io.ferry.hostagent.qemu.spec.VmSpecException;
import io.ferry.hostagent.qemu.spec.VmSpecFiles;
import io.ferry.v1.AdminStartVmRequest;
import io.ferry.v1.AdminStartVmResponse;
import io.ferry.v1.AdminStopVmRequest;
import io.ferry.v1.AdminStopVmResponse;
import io.ferry.v1.ListVmsRequest;
import io.ferry.v1.ListVmsResponse;
import io.ferry.v1.VmSpec;
import io.ferry.v1.VmSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "vm", mixinStandardHelpOptions = true,
    description = {"Start, list and stop VMs through the scheduler's leader.",
        "'ferry vm start --host HOST --spec FILE' starts a VM from a spec file (YAML or JSON, docs/vm-spec.md) on",
        "HOST; 'ferry vm list' shows every VM; 'ferry vm stop VM' stops one wherever it runs."},
    subcommands = {VmCommand.Start.class, VmCommand.ListVms.class, VmCommand.Stop.class})
public final class VmCommand {
  /** Reads and checks the spec file here, so a mistake is named as file:line before anything is sent. */
  static VmSpec readSpec(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new FerryException("VM spec file " + file + " does not exist (format: docs/vm-spec.md)");
    }
    try {
      return VmSpecFiles.parse(file);
    } catch (VmSpecException e) {
      throw new FerryException(e.getMessage(), e);
    }
  }

  @Command(name = "start", mixinStandardHelpOptions = true,
      description = {"Start a VM on a host.",
          "The leader checks that the host is known, connected, powered on and in normal mode (--force: also in",
          "maintenance or quarantine), that no VM of that name exists in the cluster, and that the VM's memory fits",
          "the host's free memory; then the host's agent starts it. Starting the same spec again changes nothing.",
          "Relative disk paths in the spec are resolved against the spec file's directory."})
  public static final class Start implements Callable<Integer> {
    @Option(names = "--host", required = true, paramLabel = "HOST", description = "Host to start the VM on")
    String host;

    @Option(names = "--spec", required = true, paramLabel = "FILE", description = "VM spec file (YAML or JSON)")
    Path spec;

    @Option(names = "--force", description = "Also start it on a host in maintenance or quarantine mode")
    boolean force;

    @Mixin
    RequestOptions request;

    @Option(names = "--format", defaultValue = "table", paramLabel = "table|json", description = "Output format")
    StatusCommand.Format format;

    @Mixin
    ClusterOptions cluster;

    @Override
    public Integer call() throws Exception {
      VmSpec vm = readSpec(spec);
      AdminStartVmResponse r;
      try (AdminClient admin = new AdminClient(cluster.resolve(), Duration.ofSeconds(60))) {
        r = admin.call(s -> s.startVm(AdminStartVmRequest.newBuilder().setMeta(request.meta()).setHost(host)
            .setSpec(vm).setForce(force).build()));
      }
      if (format == StatusCommand.Format.json) {
        System.out.println(JsonFormat.printer().print(r));
      } else if (r.getAlreadyRunning()) {
        System.out.println("VM " + r.getVm().getName() + " already runs on " + r.getVm().getHost()
            + " with this spec: nothing to do");
      } else {
        VmSummary v = r.getVm();
        System.out.println("VM " + v.getName() + " started on " + v.getHost() + " (" + state(v) + ", "
            + v.getVcpus() + " vCPUs, " + (v.getMemoryBytes() >> 20) + " MiB)");
      }
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List the VMs of the cluster as their hosts last reported them.")
  public static final class ListVms implements Callable<Integer> {
    @Option(names = "--host", paramLabel = "HOST", description = "Only the VMs of this host")
    String host;

    @Option(names = "--format", defaultValue = "table", paramLabel = "table|json",
        description = "Output format (default: ${DEFAULT-VALUE})")
    StatusCommand.Format format;

    @Option(names = "--json", description = "Same as --format json")
    boolean json;

    @Mixin
    ClusterOptions cluster;

    @Override
    public Integer call() throws Exception {
      ListVmsResponse r;
      try (AdminClient admin = new AdminClient(cluster.resolve(), Duration.ofSeconds(20))) {
        r = admin.call(s -> s.listVms(ListVmsRequest.newBuilder().setHost(host == null ? "" : host).build()));
      }
      if (json || format == StatusCommand.Format.json) {
        System.out.println(JsonFormat.printer().print(r));
      } else {
        System.out.print(table(r));
      }
      return 0;
    }

    static String table(ListVmsResponse r) {
      StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-20s %-14s %-13s %5s %10s %6s %s%n",
          "NAME", "HOST", "STATE", "VCPUS", "MEMORY", "CPU%", "ACCEL"));
      for (VmSummary v : r.getVmsList()) {
        double cpu = v.getVcpus() == 0 ? 0 : 100 * v.getCpuUsageCores() / v.getVcpus();
        b.append(String.format(Locale.ROOT, "%-20s %-14s %-13s %5d %6d MiB %5.0f%% %s%n", v.getName(),
            v.getHost(), state(v), v.getVcpus(), v.getMemoryBytes() >> 20, cpu, v.getAccelerator()));
      }
      return b.toString();
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true,
      description = {"Stop a VM wherever it runs and remove it from its host.",
          "The guest is asked to shut down and destroyed after a grace period (the sim driver destroys at once);",
          "--force destroys it at once. A migrating VM is refused, naming the migration; --force cancels the",
          "migration first and stops the VM where it ended up."})
  public static final class Stop implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "VM", description = "VM to stop")
    String vm;

    @Option(names = "--force", description = "Destroy at once; cancel a migration in flight first")
    boolean force;

    @Mixin
    RequestOptions request;

    @Option(names = "--format", defaultValue = "table", paramLabel = "table|json", description = "Output format")
    StatusCommand.Format format;

    @Mixin
    ClusterOptions cluster;

    @Override
    public Integer call() throws Exception {
      AdminStopVmResponse r;
      // A forced stop may wait for a migration to roll back (60 s) and the guest to shut down (30 s).
      try (AdminClient admin = new AdminClient(cluster.resolve(), Duration.ofSeconds(120))) {
        r = admin.call(s -> s.stopVm(AdminStopVmRequest.newBuilder().setMeta(request.meta()).setVm(vm)
            .setForce(force).build()));
      }
      if (format == StatusCommand.Format.json) {
        System.out.println(JsonFormat.printer().print(r));
      } else {
        System.out.println("VM " + vm + " stopped on " + r.getHost() + (r.getCancelledMigrationId().isEmpty() ? ""
            : " (its migration " + r.getCancelledMigrationId() + " was cancelled first)"));
      }
      return 0;
    }
  }

  private static String state(VmSummary v) {
    return v.getState().name().replace("VM_", "").replace('_', '-').toLowerCase(Locale.ROOT);
  }
}
