package io.ferry.hostagent.migration.codec;

import io.ferry.hostagent.hypervisor.BlockDevice;
import io.ferry.hostagent.hypervisor.GuestMemory;
import io.ferry.v1.ChunkKind;
import java.nio.ByteBuffer;

/** A guest memory or one disk seen as numbered fixed-size units, so one codec serves pages and blocks. */
public interface UnitStore {
  ChunkKind kind();

  /** Disk index for DISK stores, 0 for RAM. */
  int disk();

  int unitBytes();

  long unitCount();

  void read(long index, ByteBuffer dst);

  /** Writes a unit; returns false when the store refused it (post-copy: the page is no longer missing). */
  boolean write(long index, ByteBuffer src);

  static UnitStore of(GuestMemory memory) {
    return of(memory, false);
  }

  /** Guest memory; with {@code placeMissingOnly}, writes go through post-copy placement. */
  static UnitStore of(GuestMemory memory, boolean placeMissingOnly) {
    return new UnitStore() {
      @Override public ChunkKind kind() { return ChunkKind.RAM; }
      @Override public int disk() { return 0; }
      @Override public int unitBytes() { return memory.pageSizeBytes(); }
      @Override public long unitCount() { return memory.pageCount(); }
      @Override public void read(long index, ByteBuffer dst) { memory.readPage(index, dst); }

      @Override
      public boolean write(long index, ByteBuffer src) {
        if (placeMissingOnly) {
          boolean placed = memory.placeMissingPage(index, src);
          if (!placed) {
            src.position(src.position() + memory.pageSizeBytes());
          }
          return placed;
        }
        memory.writePage(index, src);
        return true;
      }
    };
  }

  static UnitStore of(BlockDevice disk, int diskIndex) {
    return new UnitStore() {
      @Override public ChunkKind kind() { return ChunkKind.DISK; }
      @Override public int disk() { return diskIndex; }
      @Override public int unitBytes() { return disk.blockSizeBytes(); }
      @Override public long unitCount() { return disk.blockCount(); }
      @Override public void read(long index, ByteBuffer dst) { disk.readBlock(index, dst); }

      @Override
      public boolean write(long index, ByteBuffer src) {
        disk.writeBlock(index, src);
        return true;
      }
    };
  }
}
