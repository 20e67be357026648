package io.ferry.cli.commands;

import com.google.protobuf.util.JsonFormat;
import io.ferry.cli.client.AdminClient;
import io.ferry.cli.client.ClusterOptions;
import io.ferry.cli.client.Context;
import io.ferry.v1.ClusterStatus;
import io.ferry.v1.GetStatusRequest;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Show the cluster: leader, hosts, VMs and migrations in flight.",
        "Finds the leader through ZooKeeper; with no flags it uses the cluster started by 'ferry up'."})
public final class StatusCommand implements Callable<Integer> {
  @Mixin
  ClusterOptions cluster;

  @Option(names = "--format", defaultValue = "table", paramLabel = "table|json",
      description = "Output format (default: ${DEFAULT-VALUE})")
  Format format;

  @Option(names = "--snapshot", paramLabel = "OUT",
      description = "Also write the planner's snapshot of the cluster to OUT (input for 'ferry plan --snapshot')")
  java.nio.file.Path snapshot;

  enum Format { table, json }

  @Override
  public Integer call() throws Exception {
    Context ctx = cluster.resolve();
    ClusterStatus status;
    try (AdminClient admin = new AdminClient(ctx, Duration.ofSeconds(10))) {
      status = admin.call(s -> s.getStatus(GetStatusRequest.getDefaultInstance()));
      if (snapshot != null) {
        String json = admin.call(s -> s.getSnapshot(io.ferry.v1.GetSnapshotRequest.getDefaultInstance())).getJson();
        java.nio.file.Files.writeString(snapshot, json);
        System.err.println("ferry status: snapshot written to " + snapshot);
      }
    }
    PrintStream out = System.out;
    if (format == Format.json) {
      out.println(JsonFormat.printer().print(status));
    } else {
      out.print(StatusTable.render(status));
    }
    return 0;
  }
}
