package io.ferry.hostagent.hypervisor;

import java.nio.ByteBuffer;

/**
 * Guest RAM as fixed-size pages. Reads and writes copy whole pages; the guest may write concurrently while running,
 * and every guest write marks its page in {@link #dirtyLog()} after the bytes are written.
 */
public interface GuestMemory {
  int pageSizeBytes();

  long pageCount();

  /** Copies page {@code index} into {@code dst} (position advances by one page). */
  void readPage(long index, ByteBuffer dst);

  /** Overwrites page {@code index} from {@code src} (destination side; position advances by one page). */
  void writePage(long index, ByteBuffer src);

  /** Whether page {@code index} is all zeros, without copying it. */
  boolean isZeroPage(long index);

  DirtyLog dirtyLog();

  /**
   * Post-copy (destination): from now on the pages set in {@code missing} are absent; a guest access to one blocks
   * and asks {@code handler} for it until {@link #placeMissingPage} fills it.
   */
  void armPostCopy(DirtyBitmap missing, PageFaultHandler handler);

  /**
   * Post-copy: fills a missing page and wakes guest accesses waiting for it. A page that is no longer missing is
   * left alone (the guest may already have written it), and {@code false} is returned.
   */
  boolean placeMissingPage(long index, ByteBuffer src);

  /** Post-copy: how many pages are still missing. */
  long missingPageCount();
}
