package io.ferry.cli.commands;

import io.ferry.common.zk.EmbeddedZooKeeper;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "zk", mixinStandardHelpOptions = true,
    description = {"Run a standalone ZooKeeper server (for development and tests).",
        "Production runs a 3- or 5-node ensemble: see deploy/zookeeper."})
public final class ZkCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "2181", description = "Client port (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--data", required = true, paramLabel = "DIR", description = "Data directory (created if missing)")
  Path data;

  @Option(names = "--tick", defaultValue = "500", paramLabel = "MS",
      description = "Tick time in ms; sessions may last 2 to 120 ticks (default: ${DEFAULT-VALUE})")
  int tickMs;

  @Override
  public Integer call() {
    EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(host, port, data, tickMs);
    System.out.println("zk=" + zk.connectString() + " data=" + data.toAbsolutePath());
    System.out.flush();
    Waiter.untilShutdown(zk::close);
    return 0;
  }
}
