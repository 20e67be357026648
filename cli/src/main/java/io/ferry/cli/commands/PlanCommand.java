package io.ferry.cli.commands;

import io.ferry.cli.client.AdminClient;
import io.ferry.cli.client.ClusterOptions;
import io.ferry.common.FerryException;
import io.ferry.policies.cli.PlanCommandSupport;
import io.ferry.v1.PlanRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "plan", mixinStandardHelpOptions = true,
    description = {"Dry-run the planner on a cluster snapshot.",
        "'ferry plan --snapshot FILE [--policy FILE]' plans offline (format: docs/snapshot.md); without --snapshot",
        "it asks the running leader to plan on the live cluster. Nothing is executed. Every move and power action",
        "says why; --explain also explains every candidate VM that was not moved."})
public final class PlanCommand implements Callable<Integer> {
  @Option(names = "--snapshot", paramLabel = "FILE", description = "Cluster snapshot (JSON); 'ferry status --snapshot OUT' writes one")
  Path snapshot;

  @Option(names = "--policy", paramLabel = "FILE", description = "Policy file (default: the built-in default, or the leader's)")
  Path policy;

  @Option(names = "--format", defaultValue = "table", paramLabel = "table|json", description = "Output format (default: ${DEFAULT-VALUE})")
  String format;

  @Option(names = "--explain", description = "Also explain the candidates that were not moved")
  boolean explain;

  @Mixin
  ClusterOptions cluster;

  @Override
  public Integer call() throws Exception {
    if (snapshot != null) {
      return PlanCommandSupport.run(snapshot, policy, format, explain, System.out, System.err);
    }
    PlanRequest.Builder req = PlanRequest.newBuilder().setExplainCandidates(explain);
    if (policy != null) {
      if (!Files.isReadable(policy)) {
        throw new FerryException("cannot read policy file " + policy);
      }
      req.setPolicyYaml(Files.readString(policy));
    }
    try (AdminClient admin = new AdminClient(cluster.resolve(), Duration.ofSeconds(30))) {
      var plan = admin.call(s -> s.plan(req.build()));
      System.out.print("json".equals(format) ? plan.getPlanJson() : plan.getPlanTable());
      return 0;
    }
  }
}
