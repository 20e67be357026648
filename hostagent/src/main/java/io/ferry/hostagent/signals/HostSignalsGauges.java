package io.ferry.hostagent.signals;

import io.ferry.v1.DiskHealth;
import io.ferry.v1.HostSignals;
import io.ferry.v1.NetworkInterface;
import io.ferry.v1.TemperatureSensor;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Publishes the latest {@link HostSignals} as Micrometer gauges (names in docs/metrics.md, "Agent: host signals").
 * A value that is unavailable, or a sensor, disk or interface that disappeared, reads NaN rather than its last
 * value, so a dashboard never shows a stale number as current.
 */
public final class HostSignalsGauges {
  static final String CPU_UTILIZATION = "ferry_host_cpu_utilization_ratio";
  static final String MEMORY_USED = "ferry_host_memory_used_bytes";
  static final String MEMORY_TOTAL = "ferry_host_memory_total_bytes";
  static final String TEMPERATURE = "ferry_host_temperature_celsius";
  static final String TEMPERATURE_HEADLINE = "ferry_host_temperature_headline_celsius";
  static final String SMART_REALLOCATED = "ferry_host_smart_reallocated_sectors";
  static final String SMART_PENDING = "ferry_host_smart_pending_sectors";
  static final String SMART_HEALTHY = "ferry_host_smart_healthy";
  static final String NVME_PERCENTAGE_USED = "ferry_host_nvme_percentage_used";
  static final String NETWORK_RECEIVE = "ferry_host_network_receive_bytes_per_second";
  static final String NETWORK_TRANSMIT = "ferry_host_network_transmit_bytes_per_second";

  private record Key(String metric, String tag, String tagValue) {}

  private final MeterRegistry registry;
  private final Set<Key> registered = ConcurrentHashMap.newKeySet();
  private volatile Map<Key, Double> values = Map.of();

  public HostSignalsGauges(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Makes {@code signals} the values every gauge reports from now on. */
  public void update(HostSignals signals) {
    Map<Key, Double> next = new HashMap<>();
    if (signals.getCpu().getStatus().getAvailable()) {
      next.put(new Key(CPU_UTILIZATION, null, null), signals.getCpu().getUtilizationRatio());
    }
    if (signals.getMemory().getStatus().getAvailable()) {
      next.put(new Key(MEMORY_USED, null, null), (double) signals.getMemory().getUsedBytes());
      next.put(new Key(MEMORY_TOTAL, null, null), (double) signals.getMemory().getTotalBytes());
    }
    if (signals.getTemperature().getStatus().getAvailable()) {
      next.put(new Key(TEMPERATURE_HEADLINE, null, null), signals.getTemperature().getHeadlineCelsius());
      for (TemperatureSensor s : signals.getTemperature().getSensorsList()) {
        next.put(new Key(TEMPERATURE, "sensor", s.getSensor()), s.getCelsius());
      }
    }
    for (DiskHealth d : signals.getSmart().getDisksList()) {
      if (d.getStatus().getAvailable()) {
        next.put(new Key(SMART_REALLOCATED, "device", d.getDevice()), (double) d.getReallocatedSectors());
        next.put(new Key(SMART_PENDING, "device", d.getDevice()), (double) d.getPendingSectors());
        next.put(new Key(SMART_HEALTHY, "device", d.getDevice()), d.getSmartPassed() ? 1.0 : 0.0);
        if ("nvme".equals(d.getProtocol())) {
          next.put(new Key(NVME_PERCENTAGE_USED, "device", d.getDevice()), (double) d.getNvmePercentageUsed());
        }
      }
    }
    if (signals.getNetwork().getStatus().getAvailable()) {
      for (NetworkInterface i : signals.getNetwork().getInterfacesList()) {
        next.put(new Key(NETWORK_RECEIVE, "interface", i.getName()), i.getRxBytesPerSecond());
        next.put(new Key(NETWORK_TRANSMIT, "interface", i.getName()), i.getTxBytesPerSecond());
      }
    }
    values = next;
    next.keySet().forEach(this::registerOnce);
  }

  /** The fixed gauges exist from the start (as NaN) so dashboards can tell "no data yet" from "no agent". */
  void registerFixed() {
    for (String metric : new String[] {CPU_UTILIZATION, MEMORY_USED, MEMORY_TOTAL, TEMPERATURE_HEADLINE}) {
      registerOnce(new Key(metric, null, null));
    }
  }

  private void registerOnce(Key key) {
    if (!registered.add(key)) {
      return;
    }
    Gauge.Builder<?> gauge = Gauge.builder(key.metric(), () -> values.getOrDefault(key, Double.NaN));
    if (key.tag() != null) {
      gauge.tag(key.tag(), key.tagValue());
    }
    gauge.register(registry);
  }
}
