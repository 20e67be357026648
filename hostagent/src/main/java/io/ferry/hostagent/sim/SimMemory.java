package io.ferry.hostagent.sim;

import io.ferry.hostagent.hypervisor.DirtyBitmap;
import io.ferry.hostagent.hypervisor.DirtyLog;
import io.ferry.hostagent.hypervisor.GuestMemory;
import io.ferry.hostagent.hypervisor.PageFaultHandler;
import io.ferry.common.FerryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Sim guest RAM: off-heap direct buffers of {@value #CHUNK_BYTES} bytes, each allocated when first written (memory
 * never written reads as zeros and costs the host nothing, as with a real hypervisor), 4 KiB pages, a dirty bitmap
 * the guest marks after each write, and a post-copy "missing" bitmap that makes guest accesses wait for their page.
 */
final class SimMemory implements GuestMemory {
  static final int PAGE_BYTES = 4096;
  static final int CHUNK_BYTES = 16 << 20;
  private static final int PAGES_PER_CHUNK = CHUNK_BYTES / PAGE_BYTES;
  private static final int PLACE_LOCKS = 256;

  private static final ByteBuffer ZERO_PAGE = ByteBuffer.allocateDirect(PAGE_BYTES).asReadOnlyBuffer();

  private final long pageCount;
  private final OffHeap offHeap;
  private final DirtyBitmap dirty;
  private final Object[] placeLocks = new Object[PLACE_LOCKS];
  private final Object faultMonitor = new Object();
  private volatile DirtyBitmap missing;
  private volatile PageFaultHandler faultHandler;

  SimMemory(long memoryBytes) {
    this(memoryBytes, null, false);
  }

  /**
   * @param file null: RAM of this process (gone with it); otherwise RAM mapped from this file (created sparse when
   *     missing), which keeps the guest's memory when the process dies, so a restarted agent can adopt the VM
   * @param reservedHugePages RAM of this process from the host's reserved huge pages while it has free ones
   *     ({@link OffHeap#guestRam(long, boolean)}); not for RAM mapped from a file
   */
  SimMemory(long memoryBytes, Path file, boolean reservedHugePages) {
    if (memoryBytes <= 0 || memoryBytes % PAGE_BYTES != 0) {
      throw new IllegalArgumentException("sim VM memory must be a positive multiple of 4096 bytes, got "
          + memoryBytes);
    }
    this.pageCount = memoryBytes / PAGE_BYTES;
    if (file == null) {
      // committed on first write, like a host's memory: unwritten memory reads as zeros
      this.offHeap = OffHeap.guestRam(memoryBytes, reservedHugePages);
    } else {
      this.offHeap = new OffHeap(map(file, memoryBytes, (int) ((memoryBytes + CHUNK_BYTES - 1) / CHUNK_BYTES)));
    }
    this.dirty = new DirtyBitmap(pageCount);
    for (int i = 0; i < PLACE_LOCKS; i++) {
      placeLocks[i] = new Object();
    }
  }

  /** Durable VMs: the guest RAM is the file, mapped in chunks. */
  private static ByteBuffer[] map(Path file, long memoryBytes, int n) {
    ByteBuffer[] chunks = new ByteBuffer[n];
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      if (ch.size() < memoryBytes) {
        ch.write(ByteBuffer.allocate(1), memoryBytes - 1);
      }
      for (int i = 0; i < chunks.length; i++) {
        long at = (long) i * CHUNK_BYTES;
        chunks[i] = ch.map(FileChannel.MapMode.READ_WRITE, at, Math.min(CHUNK_BYTES, memoryBytes - at))
            .order(ByteOrder.LITTLE_ENDIAN);
      }
      return chunks;
    } catch (IOException e) {
      throw new FerryException("cannot map sim VM memory file " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public int pageSizeBytes() {
    return PAGE_BYTES;
  }

  @Override
  public long pageCount() {
    return pageCount;
  }

  @Override
  public void readPage(long index, ByteBuffer dst) {
    offHeap.use(() -> {
      int pos = dst.position();
      ByteBuffer c = chunk(index);
      if (c == null) {
        dst.put(pos, ZERO_PAGE, 0, PAGE_BYTES);
      } else {
        dst.put(pos, c, offset(index), PAGE_BYTES);
      }
      dst.position(pos + PAGE_BYTES);
      return null;
    });
  }

  @Override
  public void writePage(long index, ByteBuffer src) {
    offHeap.use(() -> {
      int pos = src.position();
      writableChunk(index).put(offset(index), src, pos, PAGE_BYTES);
      src.position(pos + PAGE_BYTES);
      return null;
    });
  }

  @Override
  public boolean isZeroPage(long index) {
    return offHeap.use(() -> zeroPage(index));
  }

  private boolean zeroPage(long index) {
    ByteBuffer c = chunk(index);
    if (c == null) {
      return true;
    }
    int off = offset(index);
    for (int i = 0; i < PAGE_BYTES; i += 8) {
      if (c.getLong(off + i) != 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public DirtyLog dirtyLog() {
    return DirtyLog.of(dirty);
  }

  @Override
  public void armPostCopy(DirtyBitmap missingPages, PageFaultHandler handler) {
    if (missingPages.size() != pageCount) {
      throw new IllegalArgumentException("missing-page bitmap covers " + missingPages.size() + " pages, memory has "
          + pageCount);
    }
    this.faultHandler = handler;
    this.missing = missingPages;
  }

  @Override
  public boolean placeMissingPage(long index, ByteBuffer src) {
    DirtyBitmap m = missing;
    if (m == null) {
      return false;
    }
    synchronized (placeLocks[(int) (index % PLACE_LOCKS)]) {
      if (!m.get(index)) {
        return false;
      }
      writePage(index, src);
      m.clear(index);
    }
    synchronized (faultMonitor) {
      faultMonitor.notifyAll();
    }
    return true;
  }

  @Override
  public long missingPageCount() {
    DirtyBitmap m = missing;
    return m == null ? 0 : m.cardinality();
  }

  /**
   * Guest write of one long: waits for the page first when it is missing (post-copy), then writes and marks it
   * dirty. Returns false, without writing, when {@code keepWaiting} turns false while waiting.
   */
  boolean guestWriteLong(long page, int offsetInPage, long value, BooleanSupplier keepWaiting) {
    if (!awaitPresent(page, keepWaiting)) {
      return false;
    }
    writableChunk(page).putLong(offset(page) + offsetInPage, value);
    dirty.set(page);
    return true;
  }

  /**
   * Guest write of {@code longs} consecutive pseudo-random longs from {@code offsetInPage} (wrapping within the
   * page), then the dirty bit. Same waiting rule as {@link #guestWriteLong}.
   */
  boolean guestWriteRun(long page, int offsetInPage, int longs, long seed, BooleanSupplier keepWaiting) {
    if (!awaitPresent(page, keepWaiting)) {
      return false;
    }
    ByteBuffer c = writableChunk(page);
    int base = offset(page);
    long x = seed | 1;
    for (int k = 0; k < longs; k++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      c.putLong(base + ((offsetInPage + k * 8) & (PAGE_BYTES - 8)), x);
    }
    dirty.set(page);
    return true;
  }

  long guestReadLong(long page, int offsetInPage) {
    return offHeap.use(() -> {
      ByteBuffer c = chunk(page);
      return c == null ? 0L : c.getLong(offset(page) + offsetInPage);
    });
  }

  /**
   * Frees the memory now (the VM is destroyed and its vCPUs stopped); engine accesses still running finish first,
   * later ones fail.
   */
  void release() {
    offHeap.release();
  }

  /**
   * Fills {@code bytes} of memory after page 0 (the progress counter) with pseudo-random data (a guest that has
   * touched its RAM).
   */
  void fillPseudoRandom(long bytes, long seed) {
    long x = seed | 1;
    long limit = Math.min(bytes, pageCount * PAGE_BYTES) & ~7L;
    for (long at = PAGE_BYTES; at < limit; at += 8) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      offHeap.allocated((int) (at / CHUNK_BYTES)).putLong((int) (at % CHUNK_BYTES), x);
    }
  }

  private boolean awaitPresent(long page, BooleanSupplier keepWaiting) {
    DirtyBitmap m = missing;
    if (m == null || !m.get(page)) {
      return true;
    }
    PageFaultHandler handler = faultHandler;
    handler.onFault(page);
    synchronized (faultMonitor) {
      while (m.get(page)) {
        if (!keepWaiting.getAsBoolean()) {
          return false;
        }
        try {
          // bounded wait so a stopped guest notices; placement notifies at once
          TimeUnit.MILLISECONDS.timedWait(faultMonitor, 50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return true;
  }

  /** The buffer holding {@code page}, or {@code null} while nothing in it was written (all zeros). */
  private ByteBuffer chunk(long page) {
    return offHeap.buffer(chunkIndex(page));
  }

  private ByteBuffer writableChunk(long page) {
    return offHeap.allocated(chunkIndex(page));
  }

  private int chunkIndex(long page) {
    if (page < 0 || page >= pageCount) {
      throw new IndexOutOfBoundsException("page " + page + " outside guest memory of " + pageCount + " pages");
    }
    return (int) (page / PAGES_PER_CHUNK);
  }

  private static int offset(long page) {
    return (int) (page % PAGES_PER_CHUNK) * PAGE_BYTES;
  }
}
