package io.ferry.hostagent.qemu;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Empty disk images for the destination of a storage migration. */
final class DiskImages {
  private DiskImages() {}

  /** Creates {@code image}: a sparse raw file, or a qcow2 through {@code qemu-img}; replaces what is there. */
  static void create(Path image, String format, long sizeBytes) throws IOException {
    Files.deleteIfExists(image);
    if ("raw".equals(format)) {
      try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
        f.setLength(sizeBytes);
      }
      return;
    }
    if (!"qcow2".equals(format)) {
      throw new IllegalArgumentException("disk format '" + format + "' is unknown: use raw or qcow2");
    }
    Process p = new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", image.toString(),
        Long.toString(sizeBytes)).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("qemu-img create " + image + " did not finish within 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while creating " + image, e);
    }
    if (p.exitValue() != 0) {
      throw new IOException("qemu-img create " + image + " failed: "
          + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
    }
  }
}
