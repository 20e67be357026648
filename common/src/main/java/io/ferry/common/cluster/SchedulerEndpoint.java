package io.ferry.common.cluster;

import org.apache.helix.zookeeper.datamodel.ZNRecord;

/**
 * Where one scheduler replica serves its admin API (which also hosts the Ingest service) and metrics.
 * Published by every replica; {@code epoch} is the leadership term it leads, 0 while standby.
 */
public record SchedulerEndpoint(String name, String adminEndpoint, String metricsEndpoint, long epoch) {

  ZNRecord toRecord() {
    ZNRecord r = new ZNRecord(name);
    r.setSimpleField("adminEndpoint", adminEndpoint);
    r.setSimpleField("metricsEndpoint", metricsEndpoint);
    r.setLongField("epoch", epoch);
    return r;
  }

  static SchedulerEndpoint fromRecord(ZNRecord r) {
    return new SchedulerEndpoint(r.getId(), r.getSimpleField("adminEndpoint"),
        r.getSimpleField("metricsEndpoint"), r.getLongField("epoch", 0));
  }
}
