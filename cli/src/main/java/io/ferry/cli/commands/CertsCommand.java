package io.ferry.cli.commands;

import io.ferry.common.FerryException;
import io.ferry.common.tls.CertificateAuthority;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "certs", mixinStandardHelpOptions = true,
    description = {"Create the cluster CA and node certificates.",
        "Mutual TLS protects every connection between Ferry processes."},
    subcommands = {CertsCommand.Init.class, CertsCommand.Issue.class})
public final class CertsCommand {

  @Command(name = "init", mixinStandardHelpOptions = true,
      description = {"Create a cluster CA (ca.crt, ca.key) and a node certificate (node.crt, node.key) in DIR.",
          "The node certificate is valid for localhost, 127.0.0.1, ::1 and every --san; it serves as server and",
          "client certificate. Issue one per host with 'ferry certs issue'."})
  public static final class Init implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write (created)")
    Path out;

    @Option(names = "--cluster", defaultValue = "ferry", description = "Cluster name in the CA's subject")
    String cluster;

    @Option(names = "--san", paramLabel = "NAME|IP", description = "Extra host name or IP for the node certificate (repeatable)")
    List<String> sans = new ArrayList<>();

    @Option(names = "--days", defaultValue = "365", description = "Node certificate validity in days (CA: 10 years)")
    int days;

    @Option(names = "--force", description = "Overwrite an existing CA in DIR")
    boolean force;

    @Override
    public Integer call() throws Exception {
      Files.createDirectories(out);
      if (Files.exists(out.resolve("ca.key")) && !force) {
        throw new FerryException(out + " already holds a CA (ca.key): use it, choose another --out, or pass --force");
      }
      CertificateAuthority ca = CertificateAuthority.create(cluster, Duration.ofDays(3650));
      ca.writeCa(out);
      Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
      names.addAll(sans);
      ca.issue("ferry-node", names, Duration.ofDays(days), out, "node");
      io.ferry.common.tickets.TicketKeys.write(io.ferry.common.tickets.TicketKeys.generate(), out);
      System.out.println("wrote " + out.resolve("ca.crt") + ", ca.key, node.crt, node.key (SANs " + names + "),"
          + " ticket-signing.key and ticket-signing.pub (migration tickets: the key stays with the schedulers)");
      return 0;
    }
  }

  @Command(name = "issue", mixinStandardHelpOptions = true,
      description = "Issue a node certificate for one host from an existing CA directory.")
  public static final class Issue implements Callable<Integer> {
    @Option(names = "--ca", required = true, paramLabel = "DIR", description = "Directory with ca.crt and ca.key")
    Path caDir;

    @Option(names = "--name", required = true, description = "Host name (certificate CN and first SAN)")
    String name;

    @Option(names = "--san", paramLabel = "NAME|IP", description = "Extra host name or IP (repeatable)")
    List<String> sans = new ArrayList<>();

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for node.crt, node.key, ca.crt")
    Path out;

    @Option(names = "--days", defaultValue = "365", description = "Validity in days")
    int days;

    @Override
    public Integer call() throws Exception {
      CertificateAuthority ca = CertificateAuthority.load(caDir);
      Set<String> names = new LinkedHashSet<>();
      names.add(name);
      names.addAll(sans);
      Files.createDirectories(out);
      Files.copy(caDir.resolve("ca.crt"), out.resolve("ca.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      ca.issue(name, names, Duration.ofDays(days), out, "node");
      System.out.println("wrote " + out.resolve("node.crt") + ", node.key, ca.crt (SANs " + names + ")");
      return 0;
    }
  }
}
