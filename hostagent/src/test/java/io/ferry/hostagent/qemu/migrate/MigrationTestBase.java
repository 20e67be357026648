package io.ferry.hostagent.qemu.migrate;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** A temp dir and a {@link MigrationRig} whose QEMUs are killed after each test, pass or fail. */
abstract class MigrationTestBase {
  @TempDir Path tmp;
  MigrationRig rig;

  @AfterEach
  void killQemus() {
    if (rig != null) {
      rig.close();
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
