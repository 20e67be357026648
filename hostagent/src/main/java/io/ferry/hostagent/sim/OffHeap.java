package io.ferry.hostagent.sim;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Off-heap buffers allocated on first use (like a host's memory, committed when touched) and freed when their VM
 * is destroyed rather than whenever the garbage collector notices (an agent that migrates GiB-sized VMs would
 * otherwise run out of direct memory), with a guard so that no access can touch freed memory: accesses enter and
 * leave, {@link #release} waits until none is inside.
 *
 * <p>Public for the migration benchmark, whose encrypted baseline lands its bytes in memory taken exactly as a sim
 * destination takes its guest RAM.
 */
public final class OffHeap {
  private static final Logger log = LoggerFactory.getLogger(OffHeap.class);
  private static final Method INVOKE_CLEANER;
  private static final Object UNSAFE;

  static {
    Method m = null;
    Object u = null;
    try {
      Class<?> c = Class.forName("sun.misc.Unsafe");
      Field f = c.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      u = f.get(null);
      m = c.getMethod("invokeCleaner", ByteBuffer.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // no explicit freeing on this JVM: the garbage collector frees the buffers
    }
    INVOKE_CLEANER = m;
    UNSAFE = u;
  }

  private final AtomicReferenceArray<ByteBuffer> buffers;
  private final IntUnaryOperator sizeOf;
  private final IntFunction<ByteBuffer> take;
  private final Consumer<ByteBuffer> free;
  private final AtomicInteger inside = new AtomicInteger();
  private volatile boolean released;

  /** The buffer size of {@link #guestRam}. */
  public static final int GUEST_RAM_BUFFER_BYTES = SimMemory.CHUNK_BYTES;

  /**
   * {@code bytes} of memory taken the way a sim VM's guest RAM is: buffers of 16 MiB, each on first use, mapped as
   * QEMU maps guest RAM ({@link AnonymousMemory}: huge pages) where the platform allows, JDK direct buffers elsewhere.
   */
  public static OffHeap guestRam(long bytes) {
    return guestRam(bytes, false);
  }

  /**
   * Guest RAM as {@link #guestRam(long)}, but with {@code reservedHugePages} from the host's reserved 2 MiB huge
   * pages ({@link AnonymousMemory#mapReservedHugePages}) while the pool has free ones: buffers that are not a whole
   * number of huge pages, and those the pool cannot give, are ordinary memory (the first such shortfall is logged).
   */
  public static OffHeap guestRam(long bytes, boolean reservedHugePages) {
    if (!AnonymousMemory.available()) {
      return guestRam(bytes, ByteBuffer::allocateDirect, OffHeap::freeDirect);
    }
    return reservedHugePages ? guestRam(bytes, AnonymousMemory::mapReservedHugePages)
        : guestRam(bytes, AnonymousMemory::map, AnonymousMemory::unmap);
  }

  /**
   * Guest RAM whose buffers come from {@code reserved} (null: it cannot give one) and otherwise from ordinary memory;
   * the first buffer of whole huge pages that {@code reserved} could not give is logged.
   */
  static OffHeap guestRam(long bytes, IntFunction<ByteBuffer> reserved) {
    AtomicBoolean warned = new AtomicBoolean();
    return guestRam(bytes, n -> {
      ByteBuffer b = reserved.apply(n);
      if (b != null) {
        return b;
      }
      if (n % AnonymousMemory.HUGE_PAGE_BYTES == 0 && !warned.getAndSet(true)) {
        log.warn("guest RAM: no reserved 2 MiB huge page free for a {} MiB buffer of a {} MiB VM (see"
            + " /sys/kernel/mm/hugepages/hugepages-2048kB); it and any other buffer the pool cannot give take ordinary"
            + " memory", n >> 20, bytes >> 20);
      }
      return AnonymousMemory.map(n);
    }, AnonymousMemory::unmap);
  }

  private static OffHeap guestRam(long bytes, IntFunction<ByteBuffer> take, Consumer<ByteBuffer> free) {
    int size = GUEST_RAM_BUFFER_BYTES;
    IntUnaryOperator sizeOf = i -> (int) Math.min(size, bytes - (long) i * size);
    int count = (int) ((bytes + size - 1) / size);
    return new OffHeap(new AtomicReferenceArray<>(count), sizeOf, take, free);
  }

  /**
   * Bytes of the host's reserved 2 MiB huge pages that no mapping holds or has reserved yet
   * ({@code /sys/kernel/mm/hugepages/hugepages-2048kB}: free minus reserved pages); 0 where there is no such pool.
   */
  public static long reservedHugePagesAvailableBytes() {
    Path pool = Path.of("/sys/kernel/mm/hugepages/hugepages-2048kB");
    try {
      long free = Long.parseLong(Files.readString(pool.resolve("free_hugepages")).trim());
      long reserved = Long.parseLong(Files.readString(pool.resolve("resv_hugepages")).trim());
      return Math.max(0, free - reserved) * AnonymousMemory.HUGE_PAGE_BYTES;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private OffHeap(AtomicReferenceArray<ByteBuffer> buffers, IntUnaryOperator sizeOf, IntFunction<ByteBuffer> take,
                  Consumer<ByteBuffer> free) {
    this.buffers = buffers;
    this.sizeOf = sizeOf;
    this.take = take;
    this.free = free;
  }

  /** Buffers that exist already (a durable VM's RAM mapped from its file). */
  OffHeap(ByteBuffer[] existing) {
    this(new AtomicReferenceArray<>(existing), i -> existing[i].capacity(), ByteBuffer::allocateDirect,
        OffHeap::freeDirect);
  }

  /** Runs {@code access} unless the memory was released (then throws {@link IllegalStateException}). */
  <T> T use(Supplier<T> access) {
    inside.incrementAndGet();
    try {
      if (released) {
        throw new IllegalStateException("guest memory was released: the VM was destroyed");
      }
      return access.get();
    } finally {
      inside.decrementAndGet();
    }
  }

  /** Buffer {@code i}, or {@code null} while nothing was written to it (it reads as zeros). */
  ByteBuffer buffer(int i) {
    return buffers.get(i);
  }

  /** Buffer {@code i}, allocated (reading as zeros) on first use. */
  public ByteBuffer allocated(int i) {
    ByteBuffer b = buffers.get(i);
    return b != null ? b : allocate(i);
  }

  private synchronized ByteBuffer allocate(int i) {
    ByteBuffer b = buffers.get(i);
    if (b == null) {
      if (released) {
        throw new IllegalStateException("guest memory was released: the VM was destroyed");
      }
      b = take.apply(sizeOf.applyAsInt(i)).order(ByteOrder.LITTLE_ENDIAN);
      buffers.set(i, b);
    }
    return b;
  }

  /** Frees the buffers once no access is running; later accesses fail instead of touching freed memory. */
  public void release() {
    synchronized (this) {
      released = true;
    }
    while (inside.get() != 0) {
      LockSupport.parkNanos(100_000);
    }
    for (int i = 0; i < buffers.length(); i++) {
      ByteBuffer b = buffers.getAndSet(i, null);
      if (b != null) {
        free.accept(b);
      }
    }
  }

  /** Frees a JDK direct (or file-mapped) buffer now; where the JVM does not allow it, the garbage collector will. */
  private static void freeDirect(ByteBuffer b) {
    if (INVOKE_CLEANER == null) {
      return;
    }
    try {
      INVOKE_CLEANER.invoke(UNSAFE, b);
    } catch (ReflectiveOperationException e) {
      // left to the garbage collector
    }
  }
}
