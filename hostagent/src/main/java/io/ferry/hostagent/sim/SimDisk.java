package io.ferry.hostagent.sim;

import io.ferry.common.FerryException;
import io.ferry.hostagent.hypervisor.BlockDevice;
import io.ferry.hostagent.hypervisor.DirtyBitmap;
import io.ferry.hostagent.hypervisor.DirtyLog;
import io.ferry.v1.DiskSpec;
import io.ferry.v1.VmSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A sim VM disk: a sparse file of 4 KiB blocks with guest writes tracked in a dirty bitmap. */
final class SimDisk implements BlockDevice, AutoCloseable {
  static final int BLOCK_BYTES = 4096;

  private final Path file;
  private final long blockCount;
  private final FileChannel channel;
  private final DirtyBitmap dirty;

  SimDisk(Path file, long sizeBytes) {
    if (sizeBytes <= 0 || sizeBytes % BLOCK_BYTES != 0) {
      throw new IllegalArgumentException("sim disk size must be a positive multiple of 4096 bytes, got " + sizeBytes);
    }
    this.file = file;
    this.blockCount = sizeBytes / BLOCK_BYTES;
    try {
      Files.createDirectories(file.getParent());
      this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      if (channel.size() != sizeBytes) {
        channel.truncate(Math.min(channel.size(), sizeBytes));
        channel.write(ByteBuffer.allocate(1), sizeBytes - 1);
      }
    } catch (IOException e) {
      throw new FerryException("cannot create sim disk " + file + ": " + e.getMessage(), e);
    }
    this.dirty = new DirtyBitmap(blockCount);
  }

  /**
   * The spec with every disk's size filled in. Sim disks are sparse files of whole 4 KiB blocks in the VM's own
   * directory: an image named by {@code disks[].path} only gives the size when {@code sizeBytes} is 0 (rounded up
   * to a block); its content is never read. Throws {@link IllegalArgumentException} naming the disk otherwise.
   */
  static VmSpec withSizes(VmSpec spec) {
    VmSpec.Builder b = spec.toBuilder();
    for (int i = 0; i < spec.getDisksCount(); i++) {
      DiskSpec d = spec.getDisks(i);
      String at = "disks[" + i + "]" + (d.getPath().isEmpty() ? "" : " (" + d.getPath() + ")");
      long size = d.getSizeBytes();
      if (size < 0 || size % BLOCK_BYTES != 0) {
        throw new IllegalArgumentException(at + ": sizeBytes " + size + " is not a positive multiple of 4096"
            + " (sim disks are whole 4 KiB blocks)");
      }
      if (size == 0 && !d.getPath().isEmpty() && Files.isRegularFile(Path.of(d.getPath()))) {
        try {
          size = (Files.size(Path.of(d.getPath())) + BLOCK_BYTES - 1) / BLOCK_BYTES * BLOCK_BYTES;
        } catch (IOException e) {
          throw new IllegalArgumentException(at + ": cannot read the image's size: " + e.getMessage(), e);
        }
      }
      if (size == 0) {
        throw new IllegalArgumentException(at + ": the sim driver sizes its disk from sizeBytes (a positive multiple"
            + " of 4096) or from an existing, non-empty image file at that path on the host; give one of them");
      }
      b.setDisks(i, d.toBuilder().setSizeBytes(size));
    }
    return b.build();
  }

  Path file() {
    return file;
  }

  @Override
  public int blockSizeBytes() {
    return BLOCK_BYTES;
  }

  @Override
  public long blockCount() {
    return blockCount;
  }

  @Override
  public void readBlock(long index, ByteBuffer dst) {
    ByteBuffer slice = dst.slice(dst.position(), BLOCK_BYTES);
    try {
      long at = index * BLOCK_BYTES;
      while (slice.hasRemaining()) {
        int n = channel.read(slice, at + slice.position());
        if (n < 0) {
          throw new IOException("unexpected end of disk file at block " + index);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read block " + index + " of " + file, e);
    }
    dst.position(dst.position() + BLOCK_BYTES);
  }

  @Override
  public void writeBlock(long index, ByteBuffer src) {
    ByteBuffer slice = src.slice(src.position(), BLOCK_BYTES);
    try {
      long at = index * BLOCK_BYTES;
      while (slice.hasRemaining()) {
        channel.write(slice, at + slice.position());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write block " + index + " of " + file, e);
    }
    src.position(src.position() + BLOCK_BYTES);
  }

  /** Guest write: the block's bytes, then its dirty bit. */
  void guestWrite(long index, ByteBuffer src) {
    writeBlock(index, src);
    dirty.set(index);
  }

  @Override
  public DirtyLog dirtyLog() {
    return DirtyLog.of(dirty);
  }

  @Override
  public void flush() {
    try {
      channel.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot flush " + file, e);
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + file, e);
    }
  }
}
