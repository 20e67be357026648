package io.ferry.hostagent.sim;

import io.ferry.common.FerryException;
import io.ferry.hostagent.hypervisor.BlockDevice;
import io.ferry.hostagent.hypervisor.DirtyBitmap;
import io.ferry.hostagent.hypervisor.DirtyLog;
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
