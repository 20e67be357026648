package io.ferry.hostagent.hypervisor;

import java.nio.ByteBuffer;

/** A VM disk as fixed-size blocks, with the guest's writes tracked in {@link #dirtyLog()}. */
public interface BlockDevice {
  int blockSizeBytes();

  long blockCount();

  void readBlock(long index, ByteBuffer dst);

  void writeBlock(long index, ByteBuffer src);

  DirtyLog dirtyLog();

  /** Forces written blocks to stable storage. */
  void flush();
}
