package io.ferry.hostagent.sim;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;

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
  /** Buffers come from {@link AnonymousMemory} (and go back with it) rather than from the JDK. */
  private final boolean anonymous;
  private final AtomicInteger inside = new AtomicInteger();
  private volatile boolean released;

  /** The buffer size of {@link #guestRam}. */
  public static final int GUEST_RAM_BUFFER_BYTES = SimMemory.CHUNK_BYTES;

  /**
   * {@code bytes} of memory taken the way a sim VM's guest RAM is: buffers of 16 MiB, each on first use, mapped as
   * QEMU maps guest RAM ({@link AnonymousMemory}: huge pages) where the platform allows, JDK direct buffers elsewhere.
   */
  public static OffHeap guestRam(long bytes) {
    int size = GUEST_RAM_BUFFER_BYTES;
    return new OffHeap((int) ((bytes + size - 1) / size), i -> (int) Math.min(size, bytes - (long) i * size),
        AnonymousMemory.available());
  }

  private OffHeap(int count, IntUnaryOperator sizeOf, boolean anonymous) {
    this.buffers = new AtomicReferenceArray<>(count);
    this.sizeOf = sizeOf;
    this.anonymous = anonymous;
  }

  /** Buffers that exist already (a durable VM's RAM mapped from its file). */
  OffHeap(ByteBuffer[] existing) {
    this.buffers = new AtomicReferenceArray<>(existing);
    this.sizeOf = i -> existing[i].capacity();
    this.anonymous = false;
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
      int size = sizeOf.applyAsInt(i);
      b = (anonymous ? AnonymousMemory.map(size) : ByteBuffer.allocateDirect(size)).order(ByteOrder.LITTLE_ENDIAN);
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
    if (INVOKE_CLEANER == null && !anonymous) {
      return;
    }
    for (int i = 0; i < buffers.length(); i++) {
      ByteBuffer b = buffers.getAndSet(i, null);
      if (b == null) {
        continue;
      }
      if (anonymous) {
        AnonymousMemory.unmap(b);
        continue;
      }
      try {
        INVOKE_CLEANER.invoke(UNSAFE, b);
      } catch (ReflectiveOperationException e) {
        return;
      }
    }
  }
}
