package io.ferry.hostagent.migration.codec;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The source's copies of pages as last sent, for delta-encoding them when they are sent again. Bounded in bytes;
 * when full, new pages are not cached (they go raw), as in QEMU's XBZRLE cache.
 */
public final class XbzrleCache {
  private final long capacityBytes;
  private final AtomicLong usedBytes = new AtomicLong();
  private final ConcurrentHashMap<Long, byte[]> pages = new ConcurrentHashMap<>();

  public XbzrleCache(long capacityBytes) {
    this.capacityBytes = capacityBytes;
  }

  byte[] get(long page) {
    return pages.get(page);
  }

  void put(long page, byte[] copy) {
    byte[] old = pages.get(page);
    if (old != null) {
      System.arraycopy(copy, 0, old, 0, copy.length);
      return;
    }
    if (usedBytes.addAndGet(copy.length) > capacityBytes) {
      usedBytes.addAndGet(-copy.length);
      return;
    }
    pages.put(page, copy.clone());
  }

  /** Forgets a page whose destination copy is no longer the cached one (e.g. it was sent as zeros). */
  void remove(long page) {
    byte[] old = pages.remove(page);
    if (old != null) {
      usedBytes.addAndGet(-old.length);
    }
  }
}
