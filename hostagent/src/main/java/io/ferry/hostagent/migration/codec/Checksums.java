package io.ferry.hostagent.migration.codec;

import io.ferry.hostagent.hypervisor.BlockDevice;
import io.ferry.hostagent.hypervisor.GuestMemory;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.zip.CRC32C;

/**
 * Checksums of the migration stream: CRC32C per chunk (of the decoded bytes), and a whole-image digest — SHA-256
 * over the CRC32C of every page or block in order — that both sides compute at the pause to prove the copies are
 * byte-identical.
 */
public final class Checksums {
  private Checksums() {}

  public static int crc32c(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }

  public static byte[] digest(GuestMemory memory) {
    return digest(UnitStore.of(memory));
  }

  public static byte[] digest(BlockDevice disk) {
    return digest(UnitStore.of(disk, 0));
  }

  /** SHA-256 over the CRC32C of every unit, in order. */
  public static byte[] digest(UnitStore store) {
    return digest(store, 0);
  }

  /** Like {@link #digest(UnitStore)} over the units from {@code firstUnit} on (tests skip the counter page). */
  public static byte[] digest(UnitStore store, long firstUnit) {
    ByteBuffer unit = ByteBuffer.allocate(store.unitBytes());
    MessageDigest sha = sha256();
    CRC32C crc = new CRC32C();
    for (long i = firstUnit; i < store.unitCount(); i++) {
      unit.clear();
      store.read(i, unit);
      unit.flip();
      crc.reset();
      crc.update(unit);
      sha.update(intBytes((int) crc.getValue()));
    }
    return sha.digest();
  }

  /** Digest of several disks: SHA-256 over their digests. */
  public static byte[] digest(java.util.List<BlockDevice> disks) {
    MessageDigest sha = sha256();
    disks.forEach(d -> sha.update(digest(d)));
    return sha.digest();
  }

  private static byte[] intBytes(int v) {
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
