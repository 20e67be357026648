package io.ferry.cli.commands;

import com.google.protobuf.util.JsonFormat;
import io.ferry.cli.client.AdminClient;
import io.ferry.cli.client.ClusterOptions;
import io.ferry.cli.client.RequestOptions;
import io.ferry.common.FerryException;
import io.ferry.v1.AdminCancelRequest;
import io.ferry.v1.MigrateRequest;
import io.ferry.v1.MigrationLimits;
import io.ferry.v1.MigrationRecord;
import io.ferry.v1.MigrationStrategy;
import io.ferry.v1.RequestMeta;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = {"Migrate one VM, or cancel a migration.",
        "'ferry migrate VM --to HOST [--strategy auto|pre-copy|post-copy|auto-converge]' asks the leader to move",
        "the VM (journaled, within the limits, fenced by the leader's epoch); 'ferry migrate --cancel ID' rolls one",
        "back before its commit point. '--request-id' makes a retry idempotent."})
public final class MigrateCommand implements Callable<Integer> {
  @Parameters(index = "0", arity = "0..1", paramLabel = "VM", description = "VM to migrate")
  String vm;

  @Option(names = "--to", paramLabel = "HOST", description = "Destination host")
  String to;

  @Option(names = "--strategy", defaultValue = "auto", paramLabel = "STRATEGY",
      description = "auto, pre-copy, post-copy or auto-converge (default: ${DEFAULT-VALUE})")
  String strategy;

  @Option(names = "--allow-post-copy", description = "Let the migration switch to post-copy (the VM then depends"
      + " on both hosts until it completes); the policy's migration settings apply otherwise")
  boolean allowPostCopy;

  @Option(names = "--with-storage", description = "Copy the VM's local disks too (hosts without shared storage)")
  boolean withStorage;

  @Option(names = "--max-downtime", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Downtime target, e.g. 100ms (default: the policy's maxDowntime)")
  Duration maxDowntime;

  @Option(names = "--cancel", paramLabel = "ID", description = "Cancel the migration with this id")
  String cancel;

  @Option(names = "--list", description = "List migrations in flight (with --all: also recently finished ones, from the journal)")
  boolean list;

  @Option(names = "--all", description = "With --list: include finished migrations")
  boolean all;

  @Mixin
  RequestOptions request;

  @Option(names = "--format", defaultValue = "table", paramLabel = "table|json", description = "Output format")
  StatusCommand.Format format;

  @Mixin
  ClusterOptions cluster;

  @Override
  public Integer call() throws Exception {
    RequestMeta meta = request.meta();
    if (list) {
      try (AdminClient admin = new AdminClient(cluster.resolve(), Duration.ofSeconds(20))) {
        var resp = admin.call(s -> s.listMigrations(io.ferry.v1.ListMigrationsRequest.newBuilder()
            .setIncludeFinished(all).build()));
        if (format == StatusCommand.Format.json) {
          System.out.println(JsonFormat.printer().print(resp));
        } else {
          for (MigrationRecord m : resp.getMigrationsList()) {
            var st = m.getStatus();
            System.out.println(st.getMigrationId() + " " + st.getVm() + " " + st.getSourceHost() + " -> "
                + st.getDestinationHost() + " " + st.getPhase() + " [" + m.getReason() + "] " + st.getMessage());
          }
        }
      }
      return 0;
    }
    MigrationRecord record;
    try (AdminClient admin = new AdminClient(cluster.resolve(), Duration.ofSeconds(20))) {
      if (cancel != null) {
        record = admin.call(s -> s.cancelMigration(AdminCancelRequest.newBuilder().setMeta(meta)
            .setMigrationId(cancel).build())).getMigration();
      } else {
        if (vm == null || to == null) {
          throw new FerryException("name the VM and its destination: ferry migrate VM --to HOST"
              + " (or cancel one: ferry migrate --cancel ID)");
        }
        MigrationStrategy s = parseStrategy(strategy);
        MigrationLimits.Builder limits = MigrationLimits.newBuilder().setAllowPostCopy(allowPostCopy)
            .setWithStorage(withStorage);
        if (maxDowntime != null) {
          limits.setMaxDowntime(com.google.protobuf.util.Durations.fromNanos(maxDowntime.toNanos()));
        }
        record = admin.call(a -> a.migrate(MigrateRequest.newBuilder().setMeta(meta).setVm(vm)
            .setDestinationHost(to).setStrategy(s).setLimits(limits).build())).getMigration();
      }
    }
    if (format == StatusCommand.Format.json) {
      System.out.println(JsonFormat.printer().print(record));
    } else {
      var st = record.getStatus();
      System.out.println("migration " + st.getMigrationId() + ": VM " + st.getVm() + " " + st.getSourceHost() + " -> "
          + st.getDestinationHost() + " " + st.getPhase() + (cancel != null ? " (cancel requested)" : ""));
    }
    return 0;
  }

  static MigrationStrategy parseStrategy(String s) {
    return switch (s) {
      case "auto" -> MigrationStrategy.AUTO;
      case "pre-copy" -> MigrationStrategy.PRE_COPY;
      case "post-copy" -> MigrationStrategy.POST_COPY;
      case "auto-converge" -> MigrationStrategy.AUTO_CONVERGE;
      default -> throw new FerryException("strategy '" + s + "' is unknown: use auto, pre-copy, post-copy or auto-converge");
    };
  }
}
