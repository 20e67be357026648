package io.ferry.scheduler.ops;

import io.ferry.scheduler.state.ClusterState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.helix.manager.zk.ZKHelixAdmin;
import org.apache.helix.zookeeper.impl.client.ZkClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Helix 1.4 never removes auto-joined participants that died; the leader does: an agent instance absent from
 * LIVEINSTANCES for longer than the grace period is dropped from the cluster and forgotten by the scheduler.
 */
public final class DeadInstanceReaper {
  private static final Logger log = LoggerFactory.getLogger(DeadInstanceReaper.class);

  private final ZkClient zk;
  private final String cluster;
  private final Duration grace;
  private final Clock clock;
  private final ClusterState state;
  private final Map<String, Instant> deadSince = new HashMap<>();

  public DeadInstanceReaper(ZkClient zk, String cluster, Duration grace, Clock clock, ClusterState state) {
    this.zk = zk;
    this.cluster = cluster;
    this.grace = grace;
    this.clock = clock;
    this.state = state;
  }

  /** Runs on the loop, on the leader only. */
  public void tick() {
    ZKHelixAdmin admin = new ZKHelixAdmin(zk);
    List<String> instances = admin.getInstancesInCluster(cluster);
    Set<String> live = new HashSet<>(zk.getChildren("/" + cluster + "/LIVEINSTANCES"));
    Instant now = clock.instant();
    deadSince.keySet().retainAll(instances);
    for (String instance : instances) {
      if (live.contains(instance)) {
        deadSince.remove(instance);
        continue;
      }
      Instant since = deadSince.computeIfAbsent(instance, i -> now);
      if (Duration.between(since, now).compareTo(grace) >= 0) {
        log.warn("agent {} has been gone for {} s (grace {} s): removing it from cluster {}", instance,
            Duration.between(since, now).toSeconds(), grace.toSeconds(), cluster);
        admin.dropInstance(cluster, admin.getInstanceConfig(cluster, instance));
        state.forget(instance);
        deadSince.remove(instance);
      }
    }
  }

  public void reset() {
    deadSince.clear();
  }
}
