package io.ferry.cli.commands;

import io.ferry.hostagent.agent.Agent;
import io.ferry.hostagent.agent.QemuRuntime;
import io.ferry.hostagent.agent.AgentConfig;
import io.ferry.hostagent.migration.DataChannelOptions;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "agent", mixinStandardHelpOptions = true,
    description = {"Run the host agent of one KVM host.",
        "It measures the host (CPU, memory, temperature, SMART), manages its VMs through a hypervisor driver",
        "(qemu or the built-in sim), streams reports to the scheduler leader, and carries out migrations",
        "peer-to-peer with other agents."})
public final class AgentCommand implements Callable<Integer> {
  @Mixin
  ServerOptions server;

  @Option(names = "--name", paramLabel = "HOST", description = "Host name, unique in the cluster (default: this machine's)")
  String name;

  @Option(names = "--hypervisor", defaultValue = "qemu", paramLabel = "sim|qemu",
      description = "Hypervisor driver (default: ${DEFAULT-VALUE})")
  String hypervisor;

  @Option(names = "--port", defaultValue = "7500", description = "HostAgent + MigrationPeer port (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--metrics-port", defaultValue = "9500", description = "Prometheus /metrics port (default: ${DEFAULT-VALUE})")
  int metricsPort;

  @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Host label for placement rules (repeatable)")
  Map<String, String> labels = new LinkedHashMap<>();

  @Option(names = "--report-interval", defaultValue = "5s", converter = DurationConverter.class,
      description = "How often to report signals to the leader (default: ${DEFAULT-VALUE})")
  Duration reportInterval;

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = {"Where the agent keeps VM state and its VM event log (default: a temporary directory).",
          "With --hypervisor sim and this option, sim VMs keep their RAM and run state here and outlive the agent:",
          "a restarted agent adopts them, as QEMU VMs are adopted"})
  java.nio.file.Path stateDir;

  @Option(names = "--sim-vms", defaultValue = "0", paramLabel = "N",
      description = {"With --hypervisor sim: start N sim VMs (32 MiB each) named HOST-vmNN at start",
          "(with --state-dir only on the first start: afterwards they are adopted or live elsewhere)"})
  int simVms;

  @Option(names = "--qemu-binary", defaultValue = "qemu-system-x86_64", paramLabel = "PATH",
      description = "With --hypervisor qemu: the emulator (default: ${DEFAULT-VALUE} on PATH)")
  String qemuBinary;

  @Option(names = "--trust-kvm", description = "With --hypervisor qemu: let accelerator 'auto' choose KVM when"
      + " /dev/kvm is usable (off by default: nested KVM can be far slower than TCG)")
  boolean trustKvm;

  @Option(names = "--migration-address", paramLabel = "ADDRESS", description = "With --hypervisor qemu: address"
      + " incoming QEMU migration streams listen on, e.g. a dedicated migration network (default: the advertised"
      + " host)")
  String migrationAddress;

  @Option(names = "--migration-data-listen", paramLabel = "ADDR[:PORT]", description = {"With --hypervisor sim:"
      + " where incoming migration streams arrive (the data channel: one mTLS connection per stream).",
      "ADDR, ADDR:PORT or :PORT (default: the advertised host, any free port; a firewall between hosts needs a"
      + " fixed port)"})
  String migrationDataListen;

  @Option(names = "--migration-data-advertise", paramLabel = "ADDR:PORT", description = "With --hypervisor sim:"
      + " where sources connect for the data channel when a NAT or proxy forwards it (default: where it listens)")
  String migrationDataAdvertise;

  @Option(names = "--no-migration-data-channel", description = "With --hypervisor sim: take incoming migration"
      + " streams as gRPC calls on --port instead of on the data channel (slower; no second port)")
  boolean noMigrationDataChannel;

  @Option(names = "--cpuinfo", defaultValue = "/proc/cpuinfo", paramLabel = "FILE", description = "With"
      + " --hypervisor qemu: the host CPU description used to refuse VMs whose CPU model needs features this host"
      + " lacks (default: ${DEFAULT-VALUE})")
  java.nio.file.Path cpuinfo;

  @Option(names = "--sim-tick", defaultValue = "100us", converter = DurationConverter.class, paramLabel = "DURATION",
      description = {"With --hypervisor sim: time between two guest steps of each sim VM's vCPUs: the resolution",
          "of measured downtime; longer ticks cost less CPU (default: ${DEFAULT-VALUE})"})
  Duration simTick;

  @Option(names = "--sim-hugepages", description = {"With --hypervisor sim: take sim VMs' guest RAM from the huge"
      + " pages of 2 MiB this host reserved (/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages), as libvirt's"
      + " <hugepages/> memory backing; ordinary memory once the pool runs short. Not with --state-dir (durable sim"
      + " VMs keep their RAM in a file there)"})
  boolean simHugePages;

  @Override
  public Integer call() throws Exception {
    String n = name != null ? name : InetAddress.getLocalHost().getHostName();
    AgentConfig config = new AgentConfig(n, server.zk, server.cluster, server.bind, server.advertiseHost(), port,
        metricsPort, server.tls(), hypervisor, labels, reportInterval, server.sessionTimeout, stateDir,
        server.ticketKeys());
    if (simVms > 0 && !"sim".equals(hypervisor)) {
      throw new io.ferry.common.FerryException("--sim-vms needs --hypervisor sim");
    }
    if (simHugePages && !"sim".equals(hypervisor)) {
      throw new io.ferry.common.FerryException("--sim-hugepages needs --hypervisor sim");
    }
    if (simHugePages && stateDir != null) {
      throw new io.ferry.common.FerryException("--sim-hugepages cannot be combined with --state-dir (durable sim VMs"
          + " keep their RAM in a file there)");
    }
    boolean dataFlags = migrationDataListen != null || migrationDataAdvertise != null;
    if ((dataFlags || noMigrationDataChannel) && !"sim".equals(hypervisor)) {
      throw new io.ferry.common.FerryException("the migration data channel flags need --hypervisor sim (QEMU"
          + " streams listen on --migration-address)");
    }
    if (noMigrationDataChannel && dataFlags) {
      throw new io.ferry.common.FerryException("--no-migration-data-channel cannot be combined with"
          + " --migration-data-listen or --migration-data-advertise");
    }
    Agent a = new Agent(config, Clock.systemUTC()).withAdvertisedPort(server.advertisePort())
        .withMigrationDataChannel(noMigrationDataChannel ? DataChannelOptions.OFF
            : DataChannelOptions.of(migrationDataListen, migrationDataAdvertise))
        .withQemu(new QemuRuntime.Options(qemuBinary, trustKvm, migrationAddress, cpuinfo));
    if ("sim".equals(hypervisor)) {
      a.withSim(null, null, simTick);
      if (stateDir != null) {
        a.withDurableSimVms();
      }
      if (simHugePages) {
        a.withSimReservedHugePages();
      }
    }
    a.start();
    int create = simVmsToCreate();
    for (int i = 1; i <= create; i++) {
      a.sim().start(io.ferry.v1.VmSpec.newBuilder().setName(String.format("%s-vm%02d", n, i)).setVcpus(1)
          .setMemoryBytes(32L << 20).setSim(io.ferry.v1.SimWorkload.newBuilder()
              .setDirtyRateBytesPerSecond(1 << 20).setPattern("hot").setHotSetRatio(0.25).setCpuDemandCores(0.5)
              .setMemoryTouchedBytes(16L << 20)).build());
    }
    System.out.println("agent " + n + " admin=" + a.endpoint() + " metrics=" + server.advertiseHost() + ":"
        + a.metricsPort() + " cluster=" + server.cluster);
    System.out.flush();
    Waiter.untilShutdown(a::close);
    return 0;
  }

  /**
   * --sim-vms creates its VMs once per state directory: after a restart they are adopted or have moved to other
   * hosts, and creating them again would put a second VM of the same name in the cluster.
   */
  private int simVmsToCreate() throws java.io.IOException {
    if (simVms == 0 || stateDir == null) {
      return simVms;
    }
    java.nio.file.Path marker = stateDir.resolve("sim-vms-created");
    if (java.nio.file.Files.exists(marker)) {
      return 0;
    }
    java.nio.file.Files.createDirectories(stateDir);
    java.nio.file.Files.writeString(marker, simVms + "\n");
    return simVms;
  }
}
