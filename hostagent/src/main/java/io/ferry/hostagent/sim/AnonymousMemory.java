package io.ferry.hostagent.sim;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Memory mapped from the kernel the way QEMU maps guest RAM on Linux: anonymous, aligned to 2 MiB and advised for
 * transparent huge pages ({@code madvise(MADV_HUGEPAGE)}), so that memory is committed 2 MiB per page fault instead
 * of 4 KiB. A destination host takes all of a migrating VM's memory while the migration runs: on the 2-core test VM,
 * touching 1 GiB of fresh memory took 0.5-0.7 s of CPU with 4 KiB pages and 0.11-0.2 s with huge pages, except where
 * the host had just taken the freed memory back (a VM whose balloon reports free pages): then 0.7-1.1 s, and 3 s
 * for memory the host never backed. Memory goes back to the kernel when its VM is destroyed or leaves.
 *
 * <p>{@link #mapReservedHugePages} takes memory from the 2 MiB huge pages the host reserved
 * ({@code /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages}), as
 * QEMU's {@code -mem-path /dev/hugepages} and libvirt's {@code <hugepages/>} memory backing do: those pages stay
 * the pool's when freed, so a VM that arrives after another left finds them ready. Ordinary memory that a process
 * freed goes back to the kernel, and on a host that is itself a VM whose balloon reports free pages, back to that
 * VM's host, about 2 s after it was freed: touching 1 GiB of it again cost 1.8-2.7 s on the 2-core test VM, against
 * 0.12 s for memory freed half a second before.
 *
 * <p>Where this is not Linux or the C library cannot be called, {@link #available()} is false and callers use JDK
 * direct buffers. Where the kernel's THP mode is {@code never}, the advice is ignored and the memory is ordinary.
 * Memory from {@link #map} is freed only by {@link #unmap}; any access after that crashes the process, so callers
 * must guard their accesses (as {@link OffHeap} does).
 */
final class AnonymousMemory {
  static final long HUGE_PAGE_BYTES = 2L << 20;

  private static final int PROT_READ_WRITE = 0x1 | 0x2;
  private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
  private static final int MAP_HUGETLB = 0x40000;
  /** Huge pages of 2 MiB, whatever the host's default huge page size: log2(2 MiB) in the MAP_HUGE_SHIFT bits. */
  private static final int MAP_HUGE_2MB = 21 << 26;
  private static final int MADV_HUGEPAGE = 14;
  private static final long MAP_FAILED = -1L;

  /** The three calls of the C library this needs. */
  private interface LibC extends Library {
    Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);

    int munmap(Pointer addr, long length);

    int madvise(Pointer addr, long length, int advice);
  }

  private static final LibC LIBC = load();

  /**
   * The 2 MiB huge page limit of this process's cgroup (v2 {@code hugetlb.2MB.max}, as in a Kubernetes pod), or null
   * when there is none; read on the first huge page mapping, so agents that do not ask for huge pages never look.
   * The kernel charges such a limit when a page is first touched, not when it is mapped: a touch beyond it kills the
   * process with SIGBUS, so with a limit guest RAM stays on ordinary memory.
   */
  private static final class CgroupLimit {
    static final String HUGE_PAGES = cgroupHugePageLimit();
  }

  private AnonymousMemory() {}

  private static LibC load() {
    if (!Platform.isLinux() || !Platform.is64Bit()) {
      return null;
    }
    try {
      return Native.load(Platform.C_LIBRARY_NAME, LibC.class);
    } catch (LinkageError | RuntimeException e) {
      // JNA's native part could not be loaded here: JDK direct buffers serve instead
      return null;
    }
  }

  private static String cgroupHugePageLimit() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
        String[] f = line.split(":", 3);
        Path limitFile = null;
        if (f.length == 3 && f[0].equals("0") && f[1].isEmpty()) { // cgroup v2
          limitFile = Path.of("/sys/fs/cgroup" + f[2], "hugetlb.2MB.max");
        } else if (f.length == 3 && List.of(f[1].split(",")).contains("hugetlb")) { // v1
          limitFile = Path.of("/sys/fs/cgroup/hugetlb" + f[2], "hugetlb.2MB.limit_in_bytes");
        }
        String limit = limitFile != null && Files.isReadable(limitFile) ? Files.readString(limitFile).trim() : "max";
        // v1 writes "no limit" as a page-rounded Long.MAX_VALUE
        if (!limit.equals("max") && !(limit.matches("[0-9]+") && Long.parseLong(limit) > (1L << 62))) {
          LoggerFactory.getLogger(AnonymousMemory.class).warn("this process's cgroup limits 2 MiB huge pages ({} ="
              + " {} bytes): sim guest RAM stays on ordinary memory (a page touched beyond the limit would kill"
              + " the agent)", limitFile, limit);
          return limit;
        }
      }
    } catch (IOException | RuntimeException e) {
      // no cgroup information here: nothing limits the pool but its size
    }
    return null;
  }

  static boolean available() {
    return LIBC != null;
  }

  /**
   * {@code bytes} of zeroed memory starting on a 2 MiB boundary, committed when touched. Only when
   * {@link #available()}.
   *
   * @throws IllegalStateException when the kernel refuses the mapping (no address space or memory left)
   */
  static ByteBuffer map(int bytes) {
    // over-reserve by one huge page, then give back the unaligned head and the tail beyond the aligned range
    long reserved = bytes + HUGE_PAGE_BYTES;
    Pointer p = LIBC.mmap(null, reserved, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0);
    long start = p == null ? MAP_FAILED : Pointer.nativeValue(p);
    if (start == MAP_FAILED) {
      throw new IllegalStateException("the host refused " + reserved + " bytes of memory for guest RAM (mmap failed)");
    }
    long aligned = (start + HUGE_PAGE_BYTES - 1) & -HUGE_PAGE_BYTES;
    long head = aligned - start;
    long tail = reserved - head - bytes;
    if (head > 0) {
      LIBC.munmap(new Pointer(start), head);
    }
    if (tail > 0) {
      LIBC.munmap(new Pointer(aligned + bytes), tail);
    }
    Pointer memory = new Pointer(aligned);
    // advice only: a kernel without THP (or with THP off) leaves ordinary pages, which work the same
    LIBC.madvise(memory, bytes, MADV_HUGEPAGE);
    return memory.getByteBuffer(0, bytes);
  }

  /**
   * {@code bytes} of zeroed memory from the host's reserved 2 MiB huge pages, or {@code null} when the pool has too
   * few free pages left (the kernel reserves them all when mapping, so memory it hands out is never short later) or
   * {@code bytes} is not a whole number of huge pages. Only when {@link #available()}.
   */
  static ByteBuffer mapReservedHugePages(int bytes) {
    if (bytes <= 0 || bytes % HUGE_PAGE_BYTES != 0 || CgroupLimit.HUGE_PAGES != null) {
      return null;
    }
    Pointer p = LIBC.mmap(null, bytes, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB, -1, 0);
    if (p == null || Pointer.nativeValue(p) == MAP_FAILED) {
      return null;
    }
    return p.getByteBuffer(0, bytes);
  }

  /**
   * Returns memory from {@link #map} or {@link #mapReservedHugePages} to the kernel (or to the pool); {@code memory}
   * must not be touched again.
   */
  static void unmap(ByteBuffer memory) {
    LIBC.munmap(Native.getDirectBufferPointer(memory), memory.capacity());
  }
}
