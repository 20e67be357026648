package io.ferry.cli.commands;

import com.google.protobuf.util.JsonFormat;
import io.ferry.cli.client.AdminClient;
import io.ferry.cli.client.ClusterOptions;
import io.ferry.v1.DrainRequest;
import io.ferry.v1.DrainResponse;
import io.ferry.v1.RequestMeta;
import io.ferry.v1.UndrainRequest;
import io.ferry.v1.UndrainResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "drain", mixinStandardHelpOptions = true,
    description = {"Drain a host for maintenance.",
        "Puts the host in maintenance mode (no new VMs) and evacuates every VM within the migration limits;",
        "'ferry status' shows the progress. 'ferry drain --undo HOST' returns it to normal mode."})
public final class DrainCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "HOST", description = "Host to drain")
  String host;

  @Option(names = "--undo", description = "Return the host to normal mode instead")
  boolean undo;

  @Option(names = "--format", defaultValue = "table", paramLabel = "table|json", description = "Output format")
  StatusCommand.Format format;

  @Mixin
  ClusterOptions cluster;

  @Override
  public Integer call() throws Exception {
    RequestMeta meta = RequestMeta.newBuilder().setRequestId("cli-" + UUID.randomUUID())
        .setIssuer("cli:" + System.getProperty("user.name")).build();
    try (AdminClient admin = new AdminClient(cluster.resolve(), Duration.ofSeconds(20))) {
      if (undo) {
        UndrainResponse r = admin.call(s -> s.undrain(UndrainRequest.newBuilder().setMeta(meta).setHost(host).build()));
        System.out.println(format == StatusCommand.Format.json ? JsonFormat.printer().print(r)
            : "host " + r.getHost() + " is back in normal mode");
      } else {
        DrainResponse r = admin.call(s -> s.drain(DrainRequest.newBuilder().setMeta(meta).setHost(host).build()));
        System.out.println(format == StatusCommand.Format.json ? JsonFormat.printer().print(r) : r.getMessage());
      }
    }
    return 0;
  }
}
