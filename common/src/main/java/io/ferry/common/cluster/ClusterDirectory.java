package io.ferry.common.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.helix.ConfigAccessor;
import org.apache.helix.manager.zk.ZKHelixAdmin;
import org.apache.helix.manager.zk.ZKHelixManager;
import org.apache.helix.model.ClusterConfig;
import org.apache.helix.zookeeper.datamodel.ZNRecord;
import org.apache.helix.zookeeper.impl.client.ZkClient;
import org.apache.helix.zookeeper.zkclient.IZkDataListener;
import org.apache.helix.zookeeper.zkclient.exception.ZkBadVersionException;
import org.apache.helix.zookeeper.zkclient.exception.ZkNodeExistsException;
import org.apache.zookeeper.data.Stat;

/**
 * Ferry's records in a Helix cluster's ZooKeeper tree: which scheduler replicas exist and where they serve,
 * who leads (Helix's controller leader), and the leadership epoch.
 *
 * <p>Ferry keeps its own records under the cluster's property store ({@code /CLUSTER/PROPERTYSTORE/ferry}),
 * so they live and die with the Helix cluster.
 */
public final class ClusterDirectory {
  private final ZkClient zk;
  private final String cluster;

  public ClusterDirectory(ZkClient zk, String cluster) {
    this.zk = zk;
    this.cluster = cluster;
  }

  public String cluster() {
    return cluster;
  }

  public String ferryRoot() {
    return "/" + cluster + "/PROPERTYSTORE/ferry";
  }

  private String schedulersPath() {
    return ferryRoot() + "/schedulers";
  }

  private String epochPath() {
    return ferryRoot() + "/epoch";
  }

  /** Helix's controller-leader znode: an ephemeral LiveInstance record whose id is the leader's name. */
  public String leaderPath() {
    return "/" + cluster + "/CONTROLLER/LEADER";
  }

  public boolean clusterExists() {
    return zk.exists("/" + cluster + "/CONFIGS/CLUSTER/" + cluster);
  }

  /** Creates the Helix cluster if absent (idempotent) and lets agents join it as participants on their own. */
  public void ensureCluster() {
    ZKHelixAdmin admin = new ZKHelixAdmin(zk);
    admin.addCluster(cluster, false);
    ConfigAccessor configs = new ConfigAccessor(zk);
    ClusterConfig cc = configs.getClusterConfig(cluster);
    if (!cc.getRecord().getBooleanField(ZKHelixManager.ALLOW_PARTICIPANT_AUTO_JOIN, false)) {
      cc.getRecord().setBooleanField(ZKHelixManager.ALLOW_PARTICIPANT_AUTO_JOIN, true);
      configs.setClusterConfig(cluster, cc);
    }
    zk.createPersistent(schedulersPath(), true);
  }

  /** Publishes (or refreshes) a replica's endpoints as an ephemeral record tied to this client's session. */
  public void publish(SchedulerEndpoint endpoint) {
    String path = schedulersPath() + "/" + endpoint.name();
    zk.createPersistent(schedulersPath(), true);
    try {
      zk.createEphemeral(path, endpoint.toRecord());
    } catch (ZkNodeExistsException e) {
      zk.writeData(path, endpoint.toRecord());
    }
  }

  public void unpublish(String name) {
    zk.delete(schedulersPath() + "/" + name);
  }

  public List<SchedulerEndpoint> schedulers() {
    List<SchedulerEndpoint> out = new ArrayList<>();
    if (!zk.exists(schedulersPath())) {
      return out;
    }
    for (String child : zk.getChildren(schedulersPath())) {
      ZNRecord r = zk.readData(schedulersPath() + "/" + child, true);
      if (r != null) {
        out.add(SchedulerEndpoint.fromRecord(r));
      }
    }
    out.sort((a, b) -> a.name().compareTo(b.name()));
    return out;
  }

  /** The name of the current controller leader, if there is one. */
  public Optional<String> leaderName() {
    ZNRecord r = zk.readData(leaderPath(), true);
    return r == null ? Optional.empty() : Optional.of(r.getId());
  }

  /** The leader's endpoints, when a leader is elected and has published them. */
  public Optional<SchedulerEndpoint> leader() {
    Optional<String> name = leaderName();
    if (name.isEmpty()) {
      return Optional.empty();
    }
    ZNRecord r = zk.readData(schedulersPath() + "/" + name.get(), true);
    return r == null ? Optional.empty() : Optional.of(SchedulerEndpoint.fromRecord(r));
  }

  /** Calls {@code onChange} whenever the leader znode is created, changed or deleted. */
  public void watchLeader(Runnable onChange) {
    zk.subscribeDataChanges(leaderPath(), new IZkDataListener() {
      @Override
      public void handleDataChange(String path, Object data) {
        onChange.run();
      }

      @Override
      public void handleDataDeleted(String path) {
        onChange.run();
      }
    });
  }

  /**
   * Tells {@code listener} whether this process can use ZooKeeper, from its client's own events: false as soon as
   * the connection is lost (a read time-out, two thirds of the session timeout after the last answer) or the session
   * expired, true once it is connected again. Called on ZooKeeper's event thread: enqueue, do not block.
   */
  public void watchConnection(java.util.function.Consumer<Boolean> listener) {
    zk.subscribeStateChanges(new org.apache.helix.zookeeper.zkclient.IZkStateListener() {
      @Override
      public void handleStateChanged(org.apache.zookeeper.Watcher.Event.KeeperState state) {
        listener.accept(state == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected);
      }

      @Override
      public void handleNewSession(String sessionId) {
        listener.accept(true);
      }

      @Override
      public void handleSessionEstablishmentError(Throwable error) {
        listener.accept(false);
      }
    });
  }

  public long currentEpoch() {
    ZNRecord r = zk.readData(epochPath(), true);
    return r == null ? 0 : r.getLongField("epoch", 0);
  }

  private ZNRecord readOrNull(String path, Stat stat) {
    try {
      return zk.readData(path, stat);
    } catch (org.apache.helix.zookeeper.zkclient.exception.ZkNoNodeException e) {
      return null;
    }
  }

  /**
   * Starts a new leadership term: increments the epoch with a compare-and-set, so two replicas can never
   * obtain the same epoch.
   */
  public long nextEpoch(String leaderName) {
    while (true) {
      Stat stat = new Stat();
      ZNRecord r = zk.exists(epochPath()) ? readOrNull(epochPath(), stat) : null;
      if (r == null) {
        ZNRecord first = new ZNRecord("epoch");
        first.setLongField("epoch", 1);
        first.setSimpleField("leader", leaderName);
        try {
          zk.createPersistent(ferryRoot(), true);
          zk.createPersistent(epochPath(), first);
          return 1;
        } catch (ZkNodeExistsException e) {
          continue;
        }
      }
      long next = r.getLongField("epoch", 0) + 1;
      r.setLongField("epoch", next);
      r.setSimpleField("leader", leaderName);
      try {
        zk.writeData(epochPath(), r, stat.getVersion());
        return next;
      } catch (ZkBadVersionException e) {
        // another replica started a term in between: read again
      }
    }
  }
}
