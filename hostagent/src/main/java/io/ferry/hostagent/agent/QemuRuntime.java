package io.ferry.hostagent.agent;

import io.ferry.common.tls.TlsMaterial;
import io.ferry.hostagent.hypervisor.VmEventLog;
import io.ferry.hostagent.migration.MigrationEngine;
import io.ferry.hostagent.migration.MigrationSettings;
import io.ferry.hostagent.qemu.QemuHypervisor;
import io.ferry.hostagent.qemu.compat.CpuProbe;
import io.ferry.hostagent.qemu.compat.HostCpu;
import io.ferry.hostagent.qemu.launch.QemuSettings;
import io.ferry.hostagent.qemu.migrate.MigrationTls;
import io.ferry.v1.HostFacts;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a host running real QEMU VMs needs inside its agent: the {@code qemu} driver (adopting the VMs a
 * previous agent left running) and the migration engine driving QEMU's own migration stream between agents, with
 * migration TLS from the cluster certificates unless the agent runs {@code --insecure}.
 */
public final class QemuRuntime implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QemuRuntime.class);

  /**
   * How this agent runs QEMU.
   *
   * @param binary the emulator ({@code qemu-system-x86_64} on PATH, or a path)
   * @param trustKvm whether accelerator {@code auto} may choose KVM (off: nested KVM can be far slower than TCG)
   * @param migrationAddress address incoming migration streams listen on, or null for the agent's advertised host
   * @param cpuinfo the host CPU description ({@code /proc/cpuinfo}), for the CPU compatibility check
   */
  public record Options(String binary, boolean trustKvm, String migrationAddress, Path cpuinfo) {
    public static Options defaults() {
      return new Options("qemu-system-x86_64", false, null, Path.of("/proc/cpuinfo"));
    }
  }

  private final QemuHypervisor hypervisor;
  private final MigrationEngine engine;
  private final String qemuVersion;

  public QemuRuntime(String name, Options options, Path stateDir, Path ticketKeys, TlsMaterial tls,
                     Supplier<String> endpoint, MeterRegistry registry, Clock clock) {
    this.qemuVersion = qemuVersion(options.binary());
    HostCpu cpu = CpuProbe.fromCpuinfo(options.cpuinfo(), qemuVersion);
    Path tlsDir = tls.insecure() ? null
        : MigrationTls.writeQemuDirectory(tls.caCert().getParent(), stateDir.resolve("qemu-tls"));
    QemuSettings settings = QemuSettings.defaults(stateDir.resolve("vms")).withKvmTrusted(options.trustKvm());
    settings = new QemuSettings(options.binary(), settings.runDir(), settings.kvmTrusted(), settings.kvmDevice(),
        settings.qmpTimeout());
    this.hypervisor = new QemuHypervisor(name, new QemuHypervisor.Config(settings, stateDir.resolve("disks"), tlsDir,
        options.migrationAddress(), cpu), VmEventLog.appendingTo(stateDir.resolve("vm-events.log")), clock);
    this.engine = new MigrationEngine(name, endpoint, hypervisor, tls, AgentTickets.verifier(name, ticketKeys, clock),
        registry, clock, MigrationSettings.defaults());
    log.info("agent {}: QEMU {} ({}), {} VM(s) adopted, migration TLS {}", name, qemuVersion, options.binary(),
        hypervisor.list().size(), tlsDir == null ? "off (--insecure)" : "on");
  }

  public io.grpc.BindableService peerService() {
    return engine.peerService();
  }

  public MigrationDriver migrations() {
    return MigrationDriver.of(engine);
  }

  public QemuHypervisor hypervisor() {
    return hypervisor;
  }

  /** What the driver adds to the host facts: QEMU's version, the accelerator {@code auto} picks, the CPU. */
  public HostFacts facts(HostFacts agentFacts) {
    return agentFacts.toBuilder().setHypervisor("qemu").setHypervisorVersion(qemuVersion)
        .setAccelerator(hypervisor.defaultAccelerator()).setCpuModel(hypervisor.hostCpu().model())
        .clearCpuFeatures().addAllCpuFeatures(hypervisor.hostCpu().features().stream().sorted().toList()).build();
  }

  /** Stops the engine and drops the QMP connections; the VMs keep running for the next agent. */
  @Override
  public void close() {
    engine.close();
    hypervisor.close();
  }

  private static String qemuVersion(String binary) {
    try {
      Process p = new ProcessBuilder(binary, "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new io.ferry.common.FerryException(binary + " --version failed: " + out.trim());
      }
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("version (\\S+)").matcher(out);
      return m.find() ? m.group(1) : out.lines().findFirst().orElse("unknown");
    } catch (IOException e) {
      throw new io.ferry.common.FerryException("cannot run QEMU '" + binary + "': " + e.getMessage()
          + " (install qemu-system-x86, or pass --qemu-binary)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new io.ferry.common.FerryException("interrupted while asking " + binary + " for its version", e);
    }
  }
}
