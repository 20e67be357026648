package io.ferry.hostagent.migration;

import io.ferry.common.tls.TlsMaterial;
import io.ferry.hostagent.hypervisor.Hypervisor;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/** What the source and destination halves of the engine share on one agent. */
record EngineContext(String hostName, Supplier<String> advertisedEndpoint, Hypervisor hypervisor, TlsMaterial tls,
                     MigrationSettings settings, Clock clock, ExecutorService pool,
                     ScheduledExecutorService timers, MigrationMetrics metrics,
                     Map<String, PostCopySource> postCopySources, InDoubtMigrations inDoubt, DataPlane data) {
  EngineContext {
    postCopySources = postCopySources == null ? new ConcurrentHashMap<>() : postCopySources;
  }

  long nanos() {
    return settings.ticker().getAsLong();
  }
}
