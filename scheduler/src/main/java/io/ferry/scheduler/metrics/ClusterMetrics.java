package io.ferry.scheduler.metrics;

import io.ferry.scheduler.leadership.Leadership;
import io.ferry.scheduler.state.ClusterState;
import io.ferry.scheduler.state.HostState;
import io.ferry.v1.HostMode;
import io.ferry.v1.PowerState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The leader's view of the cluster as gauges: per-host mode, power state, VM count and agent connection, hosts on,
 * and ingest lag. Refreshed on the scheduler loop; a standby exports no per-host series (only the leader knows).
 * Labels are host names, modes and power states: bounded by the cluster's size.
 */
public final class ClusterMetrics {
  private final ClusterState state;
  private final Leadership leadership;
  private final Clock clock;
  private final MultiGauge mode;
  private final MultiGauge power;
  private final MultiGauge vms;
  private final MultiGauge connected;
  private final MultiGauge hot;
  private final java.util.function.DoubleSupplier evacuateCelsius;
  private final java.util.Map<String, java.time.Instant> hotSince = new java.util.HashMap<>();
  private final AtomicReference<Double> hostsOn = new AtomicReference<>(0.0);
  private final AtomicReference<Double> ingestLag = new AtomicReference<>(0.0);

  /** @param evacuateCelsius the running policy's evacuateC (a host above it is "hot") */
  public ClusterMetrics(ClusterState state, Leadership leadership, Clock clock, MeterRegistry registry,
                        java.util.function.DoubleSupplier evacuateCelsius) {
    this.evacuateCelsius = evacuateCelsius;
    hot = MultiGauge.builder("ferry_host_hot_seconds")
        .description("How long the host has been above the policy's evacuateC (0 when it is not)").register(registry);
    this.state = state;
    this.leadership = leadership;
    this.clock = clock;
    mode = MultiGauge.builder("ferry_host_mode").description("1 for the host's current mode (leader's view)")
        .register(registry);
    power = MultiGauge.builder("ferry_host_power_state").description("1 for the host's current power state")
        .register(registry);
    vms = MultiGauge.builder("ferry_host_vms").description("VMs running on the host").register(registry);
    connected = MultiGauge.builder("ferry_host_agent_connected")
        .description("1 while the host's agent streams reports to the leader").register(registry);
    registry.gauge("ferry_cluster_hosts_on", hostsOn, AtomicReference::get);
    registry.gauge("ferry_ingest_lag_seconds", ingestLag, AtomicReference::get);
  }

  /** Runs on the loop. */
  public void refresh() {
    List<MultiGauge.Row<?>> modeRows = new ArrayList<>();
    List<MultiGauge.Row<?>> powerRows = new ArrayList<>();
    List<MultiGauge.Row<?>> vmRows = new ArrayList<>();
    List<MultiGauge.Row<?>> connRows = new ArrayList<>();
    List<MultiGauge.Row<?>> hotRows = new ArrayList<>();
    double on = 0;
    double lag = 0;
    if (leadership.isLeader()) {
      for (HostState h : state.hosts()) {
        for (HostMode m : new HostMode[] {HostMode.HOST_MODE_NORMAL, HostMode.HOST_MODE_MAINTENANCE,
            HostMode.HOST_MODE_QUARANTINE}) {
          modeRows.add(MultiGauge.Row.of(Tags.of("host", h.name(), "mode", name(m.name(), "HOST_MODE_")),
              h.mode() == m ? 1 : 0));
        }
        for (PowerState p : new PowerState[] {PowerState.POWER_ON, PowerState.POWER_STANDBY, PowerState.POWER_OFF,
            PowerState.POWER_WAKING, PowerState.POWER_SUSPENDING}) {
          powerRows.add(MultiGauge.Row.of(Tags.of("host", h.name(), "state", name(p.name(), "POWER_")),
              h.power() == p ? 1 : 0));
        }
        vmRows.add(MultiGauge.Row.of(Tags.of("host", h.name()), h.vms().size()));
        connRows.add(MultiGauge.Row.of(Tags.of("host", h.name()), h.connected() ? 1 : 0));
        boolean isHot = h.signals().getTemperature().getStatus().getAvailable()
            && h.signals().getTemperature().getHeadlineCelsius() > evacuateCelsius.getAsDouble();
        java.time.Instant since = isHot ? hotSince.computeIfAbsent(h.name(), k -> clock.instant()) : null;
        if (!isHot) {
          hotSince.remove(h.name());
        }
        hotRows.add(MultiGauge.Row.of(Tags.of("host", h.name()),
            since == null ? 0 : Duration.between(since, clock.instant()).toMillis() / 1000.0));
        if (h.power() == PowerState.POWER_ON) {
          on++;
        }
        if (h.connected()) {
          lag = Math.max(lag, Duration.between(h.lastReportAt(), clock.instant()).toMillis() / 1000.0);
        }
      }
    }
    mode.register(modeRows, true);
    power.register(powerRows, true);
    vms.register(vmRows, true);
    connected.register(connRows, true);
    hot.register(hotRows, true);
    hostsOn.set(on);
    ingestLag.set(lag);
  }

  private static String name(String enumName, String prefix) {
    return enumName.replace(prefix, "").toLowerCase(Locale.ROOT);
  }
}
