package io.ferry.scheduler.leadership;

import io.ferry.common.FerryException;
import io.ferry.common.cluster.ClusterDirectory;
import io.ferry.scheduler.loop.SchedulerLoop;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.apache.helix.HelixManager;
import org.apache.helix.HelixManagerFactory;
import org.apache.helix.InstanceType;
import org.apache.helix.api.listeners.ControllerChangeListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leadership through Helix: every replica runs a Helix controller; the controller leader is the scheduler
 * leader. Each new term takes a fresh epoch from ZooKeeper (compare-and-set).
 *
 * <p>The lease is re-checked on every controller callback and on a short timer: a replica whose ZooKeeper
 * session is gone, or whose session no longer owns the leader znode, stops leading at once (before Helix
 * tells it, which may be only after its session expires). Losing the ZooKeeper connection suspends leadership at
 * the client's first sign of it, without waiting for the check: a check that was reading the leader znode when the
 * network went silent blocks until ZooKeeper answers again, and must not leave the replica believing it leads.
 */
public final class HelixLeadership implements Leadership, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HelixLeadership.class);

  private final String name;
  private final HelixManager manager;
  private final ClusterDirectory directory;
  private final SchedulerLoop loop;
  private final LongConsumer onTermStart;
  private final Runnable onTermEnd;
  private volatile long epoch;
  private volatile String leaderName = "";
  private volatile boolean closed;
  /** True from the moment this process' ZooKeeper client loses its connection until a check proves the lease. */
  private volatile boolean suspended;
  /** Connection losses so far: a check proves the lease only if none happened while it read. */
  private final java.util.concurrent.atomic.AtomicLong losses = new java.util.concurrent.atomic.AtomicLong();

  /**
   * @param onTermStart called on the loop with the new epoch when this replica becomes leader
   * @param onTermEnd   called on the loop when it stops leading
   */
  public HelixLeadership(String name, String zk, ClusterDirectory directory, SchedulerLoop loop,
                         LongConsumer onTermStart, Runnable onTermEnd) {
    this.name = name;
    this.directory = directory;
    this.loop = loop;
    this.onTermStart = onTermStart;
    this.onTermEnd = onTermEnd;
    this.manager = HelixManagerFactory.getZKHelixManager(directory.cluster(), name, InstanceType.CONTROLLER, zk);
  }

  public void start() {
    directory.watchConnection(connected -> {
      if (!connected) {
        losses.incrementAndGet();
        if (epoch != 0 && !suspended) {
          suspended = true;
          log.warn("scheduler {} lost its ZooKeeper connection: it issues no command until it proves again that it"
              + " leads (epoch {})", name, epoch);
        }
      }
      loop.execute("leadership check", this::check);
    });
    try {
      manager.connect();
      manager.addControllerListener((ControllerChangeListener) ctx -> loop.execute("leadership check", this::check));
    } catch (Exception e) {
      throw new FerryException("scheduler " + name + ": cannot join Helix cluster " + directory.cluster() + ": "
          + e.getMessage(), e);
    }
    loop.every("leadership check", 500, this::check);
    loop.execute("leadership check", this::check);
  }

  /** Runs on the loop: compares what Helix and ZooKeeper say with what we believe, and acts on a change. */
  void check() {
    if (closed) {
      return;
    }
    boolean leadsNow;
    long lossesBefore = losses.get();
    try {
      Optional<String> session = manager.isConnected() ? manager.getSessionIdIfLead() : Optional.empty();
      leadsNow = session.isPresent() && session.get().equals(manager.getSessionId());
      leaderName = directory.leaderName().orElse("");
    } catch (RuntimeException e) {
      // ZooKeeper unreachable: we cannot prove we lead, so we do not.
      leadsNow = false;
    }
    boolean proven = leadsNow && losses.get() == lossesBefore && manager.isConnected();
    if (leadsNow && epoch != 0 && suspended && proven) {
      suspended = false;
      log.info("scheduler {} has ZooKeeper again and still leads (epoch {}): issuing commands again", name, epoch);
    }
    if (leadsNow && epoch == 0 && proven) {
      suspended = false;
      long next = directory.nextEpoch(name);
      epoch = next;
      log.info("scheduler {} is now the leader of cluster {} (epoch {}): issuing commands", name,
          directory.cluster(), next);
      onTermStart.accept(next);
    } else if (!leadsNow && epoch != 0) {
      log.warn("scheduler {} lost leadership of epoch {} (leader now: {}): stopped issuing commands", name,
          epoch, leaderName.isEmpty() ? "none" : leaderName);
      epoch = 0;
      suspended = false;
      onTermEnd.run();
    }
  }

  @Override
  public boolean isLeader() {
    return epoch != 0 && !suspended;
  }

  @Override
  public long epoch() {
    return epoch;
  }

  @Override
  public String leaderName() {
    return isLeader() ? name : leaderName;
  }

  @Override
  public void close() {
    closed = true;
    epoch = 0;
    if (manager.isConnected()) {
      manager.disconnect();
    }
  }
}
