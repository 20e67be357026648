package io.ferry.hostagent.qemu.migrate;

import io.ferry.hostagent.qemu.qmp.QmpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The capabilities both QEMUs of a migration must agree on, set with {@code migrate-set-capabilities}. */
final class MigrationCapabilities {
  private MigrationCapabilities() {}

  static List<Map<String, Object>> of(QemuMigrationOptions o, boolean source) {
    List<Map<String, Object>> caps = new ArrayList<>();
    caps.add(cap("events", true));
    if (o.postCopyCapability()) {
      caps.add(cap("postcopy-ram", true));
    }
    if (o.multifd()) {
      caps.add(cap("multifd", true));
    }
    if (source && o.setParameters() && o.xbzrle()) {
      caps.add(cap("xbzrle", true));
    }
    if (source && o.autoConverge()) {
      caps.add(cap("auto-converge", true));
    }
    return caps;
  }

  static void apply(QmpClient qmp, QemuMigrationOptions o, boolean source, Duration timeout) {
    qmp.execute("migrate-set-capabilities", Map.of("capabilities", of(o, source)), timeout);
    if (o.multifd()) {
      qmp.execute("migrate-set-parameters", Map.of("multifd-channels", o.multifdChannels()), timeout);
    }
    if (o.tls()) {
      qmp.execute("migrate-set-parameters", Map.of("tls-creds", MigrationTls.CREDS_ID), timeout);
    }
  }

  private static Map<String, Object> cap(String name, boolean on) {
    return Map.of("capability", name, "state", on);
  }
}
