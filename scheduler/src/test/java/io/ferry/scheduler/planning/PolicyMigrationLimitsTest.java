package io.ferry.scheduler.planning;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.policies.model.SchedulingPolicy;
import io.ferry.policies.parse.PolicyParser;
import io.ferry.v1.MigrationLimits;
import org.junit.jupiter.api.Test;

/** Every migration the leader orders carries the policy's migration section. */
class PolicyMigrationLimitsTest {
  private static SchedulingPolicy policy(String migration) {
    return PolicyParser.parse("p.yaml", "apiVersion: ferry.io/v1\nkind: SchedulingPolicy\nmetadata: {name: p}\n"
        + "spec:\n  migration: " + migration + "\n").policy().orElseThrow();
  }

  @Test
  void policySettingsBecomeTheMigrationsLimits() {
    MigrationLimits l = PlanningLoop.limits(policy("{maxDowntime: 120ms, bandwidth: 200MiB/s, allowPostCopy: false,"
        + " withStorage: true}"));
    assertThat(l.getMaxDowntime().getNanos()).isEqualTo(120_000_000);
    assertThat(l.getBandwidthBytesPerSecond()).isEqualTo(200L << 20);
    assertThat(l.getAllowPostCopy()).isFalse();
    assertThat(l.getWithStorage()).as("local disks are copied with the VM").isTrue();
    assertThat(l.getEncrypted()).isTrue();
  }

  @Test
  void sharedStorageIsAssumedByDefault() {
    assertThat(PlanningLoop.limits(policy("{}")).getWithStorage()).isFalse();
  }
}
