package io.ferry.scheduler.modes;

import io.ferry.v1.HostMode;
import java.util.Map;
import java.util.TreeMap;
import org.apache.helix.zookeeper.datamodel.ZNRecord;
import org.apache.helix.zookeeper.impl.client.ZkClient;

/**
 * The mode the scheduler wants each host in (normal, maintenance, quarantine), with the reason, kept in ZooKeeper
 * ({@code /CLUSTER/PROPERTYSTORE/ferry/hosts/NAME}) so that every leader knows which hosts are drained. Agents are
 * told their mode and report it back; the leader re-sends it until they agree.
 */
public final class HostModes {
  /** A wanted mode and why. */
  public record Wanted(HostMode mode, String reason) {}

  private final ZkClient zk;
  private final String root;
  private final Map<String, Wanted> cache = new TreeMap<>();

  public HostModes(ZkClient zk, String ferryRoot) {
    this.zk = zk;
    this.root = ferryRoot + "/hosts";
    zk.createPersistent(root, true);
  }

  /** Reads every wanted mode (at the start of a term). */
  public void load() {
    cache.clear();
    for (String host : zk.getChildren(root)) {
      ZNRecord r = zk.readData(root + "/" + host, true);
      if (r != null) {
        cache.put(host, new Wanted(HostMode.valueOf(r.getSimpleField("mode")), r.getSimpleField("reason")));
      }
    }
  }

  public Wanted wanted(String host) {
    return cache.getOrDefault(host, new Wanted(HostMode.HOST_MODE_NORMAL, ""));
  }

  public void set(String host, HostMode mode, String reason) {
    String path = root + "/" + host;
    if (mode == HostMode.HOST_MODE_NORMAL) {
      zk.delete(path);
      cache.remove(host);
      return;
    }
    ZNRecord r = new ZNRecord(host);
    r.setSimpleField("mode", mode.name());
    r.setSimpleField("reason", reason);
    if (zk.exists(path)) {
      zk.writeData(path, r);
    } else {
      zk.createPersistent(path, r);
    }
    cache.put(host, new Wanted(mode, reason));
  }

  public Map<String, Wanted> all() {
    return Map.copyOf(cache);
  }
}
