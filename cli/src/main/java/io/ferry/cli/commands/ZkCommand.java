package io.ferry.cli.commands;

import io.ferry.common.FerryException;
import io.ferry.common.zk.EmbeddedZooKeeper;
import io.ferry.common.zk.EnsembleMember;
import io.ferry.common.zk.ZooKeeperEnsemble;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "zk", mixinStandardHelpOptions = true,
    description = {"Run a ZooKeeper server: standalone (for development and tests), or one member of an ensemble",
        "with --id and --ensemble (production runs 3 or 5 members; see deploy/zookeeper)."})
public final class ZkCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "2181",
      description = "Client port of a standalone server (default: ${DEFAULT-VALUE}); members take theirs from --ensemble")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "Address a standalone server binds (default: ${DEFAULT-VALUE}); members bind their --ensemble host")
  String host;

  @Option(names = "--data", required = true, paramLabel = "DIR", description = "Data directory (created if missing)")
  Path data;

  @Option(names = "--tick", defaultValue = "500", paramLabel = "MS",
      description = "Tick time in ms; sessions may last 2 to 120 ticks (default: ${DEFAULT-VALUE})")
  int tickMs;

  @Option(names = "--id", paramLabel = "N",
      description = "This member's position in --ensemble, from 1 (ensemble mode)")
  Integer id;

  @Option(names = "--ensemble", paramLabel = "HOST:QUORUM:ELECTION:CLIENT,...",
      description = {"Every member of the ensemble, in the same order on every member: host, peer (quorum) port,",
          "leader-election port and client port (ensemble mode)"})
  String ensemble;

  @Override
  public Integer call() {
    if ((id == null) != (ensemble == null)) {
      throw new FerryException("--id and --ensemble go together: pass both to run an ensemble member,"
          + " or neither for a standalone server");
    }
    if (ensemble != null) {
      ZooKeeperEnsemble members = ZooKeeperEnsemble.parse(ensemble);
      EnsembleMember m = EnsembleMember.start(members, id, data, tickMs);
      System.out.println("zk=" + m.self().clientAddress() + " member=" + id + "/" + members.members().size()
          + " connect=" + members.connectString() + " data=" + data.toAbsolutePath());
      System.out.flush();
      Waiter.untilShutdown(m::close);
      return 0;
    }
    EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(host, port, data, tickMs);
    System.out.println("zk=" + zk.connectString() + " data=" + data.toAbsolutePath());
    System.out.flush();
    Waiter.untilShutdown(zk::close);
    return 0;
  }
}
