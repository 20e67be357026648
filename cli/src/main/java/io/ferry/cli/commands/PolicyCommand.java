package io.ferry.cli.commands;

import io.ferry.cli.client.AdminClient;
import io.ferry.cli.client.ClusterOptions;
import io.ferry.common.FerryException;
import io.ferry.policies.cli.PolicyCheck;
import io.ferry.v1.ApplyPolicyRequest;
import io.ferry.v1.ApplyPolicyResponse;
import io.ferry.v1.GetPolicyRequest;
import io.ferry.v1.PolicyDocument;
import io.ferry.v1.PolicyError;
import io.ferry.v1.RequestMeta;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "policy", mixinStandardHelpOptions = true,
    description = {"Check and apply policy files.",
        "'check FILE...' validates offline and prints every error as file:line:column; 'apply FILE' validates and",
        "stores a new version in ZooKeeper for every replica; 'get' prints the running policy."},
    subcommands = {PolicyCommand.Check.class, PolicyCommand.Apply.class, PolicyCommand.Get.class})
public final class PolicyCommand {

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "Validate policy files offline; exits non-zero on any error and prints all of them.")
  public static final class Check implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Policy files")
    List<Path> files;

    @Override
    public Integer call() {
      return PolicyCheck.run(files, System.out, System.err);
    }
  }

  @Command(name = "apply", mixinStandardHelpOptions = true,
      description = {"Validate a policy file and make it the running policy of the cluster.",
          "An invalid file changes nothing: the running policy stays, and every error is printed."})
  public static final class Apply implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "Policy file")
    Path file;

    @Mixin
    ClusterOptions cluster;

    @Override
    public Integer call() throws Exception {
      if (!Files.isReadable(file)) {
        throw new FerryException("cannot read policy file " + file);
      }
      ApplyPolicyRequest req = ApplyPolicyRequest.newBuilder()
          .setMeta(RequestMeta.newBuilder().setRequestId("cli-" + UUID.randomUUID())
              .setIssuer("cli:" + System.getProperty("user.name")))
          .setYaml(Files.readString(file)).setFileName(file.toString()).build();
      ApplyPolicyResponse r;
      try (AdminClient admin = new AdminClient(cluster.resolve(), Duration.ofSeconds(20))) {
        r = admin.call(s -> s.applyPolicy(req));
      }
      if (!r.getApplied()) {
        for (PolicyError e : r.getErrorsList()) {
          System.err.println(e.getFile() + ":" + e.getLine() + ":" + e.getColumn() + ": " + e.getMessage());
        }
        System.err.println("ferry policy apply: " + file + " was not applied; the running policy is unchanged");
        return 1;
      }
      System.out.println("policy " + r.getInfo().getName() + " version " + r.getInfo().getVersion() + " applied");
      return 0;
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Print the running policy (YAML).")
  public static final class Get implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Override
    public Integer call() throws Exception {
      PolicyDocument d;
      try (AdminClient admin = new AdminClient(cluster.resolve(), Duration.ofSeconds(20))) {
        d = admin.call(s -> s.getPolicy(GetPolicyRequest.getDefaultInstance()));
      }
      System.out.println("# policy " + d.getInfo().getName() + " version " + d.getInfo().getVersion() + " from "
          + d.getInfo().getSource() + (d.getInfo().getLastError().isEmpty() ? ""
          : "\n# last rejected edit: " + d.getInfo().getLastError()));
      System.out.print(d.getYaml());
      return 0;
    }
  }
}
