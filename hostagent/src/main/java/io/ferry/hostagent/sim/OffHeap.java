package io.ferry.hostagent.sim;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Off-heap buffers freed when their VM is destroyed rather than whenever the garbage collector notices (an agent
 * that migrates GiB-sized VMs would otherwise run out of direct memory), with a guard so that no access can touch
 * freed memory: accesses enter and leave, {@link #release} waits until none is inside.
 */
final class OffHeap {
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

  private final ByteBuffer[] buffers;
  private final AtomicInteger inside = new AtomicInteger();
  private volatile boolean released;

  OffHeap(ByteBuffer[] buffers) {
    this.buffers = buffers;
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

  ByteBuffer buffer(int i) {
    return buffers[i];
  }

  /** Frees the buffers once no access is running; later accesses fail instead of touching freed memory. */
  void release() {
    released = true;
    while (inside.get() != 0) {
      LockSupport.parkNanos(100_000);
    }
    if (INVOKE_CLEANER == null) {
      return;
    }
    for (int i = 0; i < buffers.length; i++) {
      try {
        INVOKE_CLEANER.invoke(UNSAFE, buffers[i]);
      } catch (ReflectiveOperationException e) {
        return;
      }
      buffers[i] = null;
    }
  }
}
