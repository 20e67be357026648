package io.ferry.scheduler.policy;

import io.ferry.policies.model.SchedulingPolicy;
import io.ferry.policies.parse.ParseResult;
import io.ferry.policies.parse.PolicyParser;
import java.time.Instant;
import java.util.Optional;
import org.apache.helix.zookeeper.datamodel.ZNRecord;
import org.apache.helix.zookeeper.impl.client.ZkClient;
import org.apache.helix.zookeeper.zkclient.exception.ZkBadVersionException;
import org.apache.helix.zookeeper.zkclient.exception.ZkNodeExistsException;
import org.apache.zookeeper.data.Stat;

/**
 * The cluster's running policy in ZooKeeper ({@code /CLUSTER/PROPERTYSTORE/ferry/policy}), versioned, so every
 * replica plans with the same one. Only valid policies are ever written: a bad edit is refused before it reaches
 * ZooKeeper, and the running policy stays.
 */
public final class PolicyStore {
  /** A stored policy: its YAML, where it came from, and its version (the znode's). */
  public record Stored(String yaml, String source, int version, Instant appliedAt, SchedulingPolicy policy) {}

  private final ZkClient zk;
  private final String path;

  public PolicyStore(ZkClient zk, String ferryRoot) {
    this.zk = zk;
    this.path = ferryRoot + "/policy";
  }

  public Optional<Stored> current() {
    if (!zk.exists(path)) {
      return Optional.empty();
    }
    Stat stat = new Stat();
    ZNRecord r;
    try {
      r = zk.readData(path, stat);
    } catch (org.apache.helix.zookeeper.zkclient.exception.ZkNoNodeException e) {
      return Optional.empty();
    }
    ParseResult parsed = PolicyParser.parse(r.getSimpleField("source"), r.getSimpleField("yaml"));
    if (!parsed.ok()) {
      // written by an older version with other rules: treat as absent rather than act on it
      return Optional.empty();
    }
    return Optional.of(new Stored(r.getSimpleField("yaml"), r.getSimpleField("source"), stat.getVersion() + 1,
        Instant.ofEpochMilli(r.getLongField("appliedAt", 0)), parsed.policy().orElseThrow()));
  }

  /** Validates and stores; returns the parse result (errors mean nothing was written). */
  public ParseResult apply(String source, String yaml, Instant now) {
    ParseResult parsed = PolicyParser.parse(source, yaml);
    if (!parsed.ok()) {
      return parsed;
    }
    ZNRecord r = new ZNRecord("policy");
    r.setSimpleField("yaml", yaml);
    r.setSimpleField("source", source);
    r.setLongField("appliedAt", now.toEpochMilli());
    while (true) {
      if (!zk.exists(path)) {
        try {
          zk.createPersistent(path, r);
          return parsed;
        } catch (ZkNodeExistsException e) {
          continue;
        }
      }
      Stat stat = new Stat();
      ZNRecord old = zk.readData(path, stat);
      if (yaml.equals(old.getSimpleField("yaml"))) {
        return parsed; // same content: no new version
      }
      try {
        zk.writeData(path, r, stat.getVersion());
        return parsed;
      } catch (ZkBadVersionException e) {
        // another replica wrote in between: try again on top of it
      }
    }
  }
}
