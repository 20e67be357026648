package io.ferry.hostagent.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Guest RAM as the sim hypervisor takes it: on first use, on huge pages where the kernel offers them. */
class GuestRamMemoryTest {
  static final int BUFFER = OffHeap.GUEST_RAM_BUFFER_BYTES;

  @Test
  void onLinuxGuestRamIsKernelMemoryOnHugePageBoundaries() {
    if (!Platform.isLinux()) {
      return; // JDK direct buffers elsewhere; nothing Linux-specific to check
    }
    assertThat(AnonymousMemory.available()).as("the C library is callable through JNA").isTrue();
    OffHeap ram = OffHeap.guestRam(2L * BUFFER);
    try {
      for (int i = 0; i < 2; i++) {
        assertThat(address(ram.allocated(i)) % AnonymousMemory.HUGE_PAGE_BYTES).as("buffer %d's address", i)
            .isZero();
      }
    } finally {
      ram.release();
    }
  }

  @Test
  void memoryIsTakenOnFirstUseReadsAsZerosAndKeepsWhatIsWritten() {
    long bytes = BUFFER + (4 << 20);
    OffHeap ram = OffHeap.guestRam(bytes);
    try {
      assertThat(ram.buffer(0)).as("nothing taken before the first write").isNull();
      ByteBuffer first = ram.allocated(0);
      ByteBuffer last = ram.allocated(1);
      assertThat(first.capacity()).isEqualTo(BUFFER);
      assertThat(last.capacity()).as("the last buffer holds only what is left").isEqualTo(4 << 20);
      for (int at = 0; at < BUFFER; at += 4093 * 8) {
        assertThat(first.getLong(at)).as("fresh memory at %d", at).isZero();
      }
      for (int at = 0; at < BUFFER; at += 8) {
        first.putLong(at, at * 31L + 7);
      }
      last.putLong((4 << 20) - 8, -1L);
      for (int at = 0; at < BUFFER; at += 8) {
        if (first.getLong(at) != at * 31L + 7) {
          assertThat(first.getLong(at)).as("memory at %d", at).isEqualTo(at * 31L + 7);
        }
      }
      assertThat(last.getLong((4 << 20) - 8)).isEqualTo(-1L);
      assertThat(ram.allocated(0)).as("the same memory on later use").isSameAs(first);
    } finally {
      ram.release();
    }
    assertThatThrownBy(() -> ram.allocated(1)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("released");
    assertThatThrownBy(() -> ram.use(() -> null)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("released");
  }

  @Test
  void writtenGuestRamSitsOnHugePagesWhenTheKernelOffersThem() throws IOException {
    Path mode = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
    if (!Platform.isLinux() || !Files.exists(mode) || Files.readString(mode).contains("[never]")) {
      return; // this kernel has no transparent huge pages to offer; the memory is ordinary and works the same
    }
    OffHeap ram = OffHeap.guestRam(BUFFER);
    try {
      ByteBuffer b = ram.allocated(0);
      long fallbacksBefore = thpFaultFallbacks();
      for (int at = 0; at < BUFFER; at += 4096) {
        b.put(at, (byte) 1);
      }
      if (thpFaultFallbacks() > fallbacksBefore) {
        return; // the kernel tried and had no free huge page at hand (fragmented memory): it was asked, as it should
      }
      long hugeKiB = anonHugePagesKiB(address(b));
      assertThat(hugeKiB).as("KiB of huge pages under the 16 MiB written (THP: %s)", Files.readString(mode).trim())
          .isGreaterThanOrEqualTo(2048);
    } finally {
      ram.release();
    }
  }

  @Test
  void guestRamOnReservedHugePagesComesFromThePoolAndGoesBackToIt() {
    long bytes = 2L * BUFFER;
    ReservedHugePages.require(bytes);
    long before = OffHeap.reservedHugePagesAvailableBytes();
    OffHeap ram = OffHeap.guestRam(bytes, true);
    try {
      assertThat(ram.buffer(0)).as("nothing taken before the first write").isNull();
      ByteBuffer first = ram.allocated(0);
      ByteBuffer second = ram.allocated(1);
      assertThat(before - OffHeap.reservedHugePagesAvailableBytes()).as("bytes of the pool the RAM holds")
          .isEqualTo(bytes);
      writeAndCheck(first);
      writeAndCheck(second);
    } finally {
      ram.release();
    }
    assertThat(OffHeap.reservedHugePagesAvailableBytes()).as("the pool once the RAM was freed").isEqualTo(before);
  }

  @Test
  void buffersThePoolCannotGiveTakeOrdinaryMemory() {
    ReservedHugePages.require(BUFFER);
    long before = OffHeap.reservedHugePagesAvailableBytes();
    AtomicInteger given = new AtomicInteger();
    // a pool that has room for the first buffer only
    OffHeap ram = OffHeap.guestRam(3L * BUFFER, n -> given.getAndIncrement() == 0
        ? AnonymousMemory.mapReservedHugePages(n) : null);
    try {
      for (int i = 0; i < 3; i++) {
        writeAndCheck(ram.allocated(i));
      }
      assertThat(before - OffHeap.reservedHugePagesAvailableBytes()).as("bytes of the pool the RAM holds")
          .isEqualTo(BUFFER);
      assertThat(ram.allocated(0).getLong(8)).as("the first buffer still holds what was written")
          .isEqualTo(8 * 31L + 7);
    } finally {
      ram.release();
    }
    assertThat(OffHeap.reservedHugePagesAvailableBytes()).as("the pool once the RAM was freed").isEqualTo(before);
  }

  private static void writeAndCheck(ByteBuffer b) {
    for (int at = 0; at < b.capacity(); at += 4093 * 8) {
      assertThat(b.getLong(at)).as("fresh memory at %d", at).isZero();
    }
    for (int at = 0; at < b.capacity(); at += 8) {
      b.putLong(at, at * 31L + 7);
    }
    for (int at = 0; at < b.capacity(); at += 8) {
      if (b.getLong(at) != at * 31L + 7) {
        assertThat(b.getLong(at)).as("memory at %d", at).isEqualTo(at * 31L + 7);
      }
    }
  }

  private static long address(ByteBuffer b) {
    return com.sun.jna.Pointer.nativeValue(Native.getDirectBufferPointer(b));
  }

  /** Huge page faults the kernel served with small pages instead, since boot (all processes). */
  private static long thpFaultFallbacks() throws IOException {
    return Files.readAllLines(Path.of("/proc/vmstat")).stream().filter(l -> l.startsWith("thp_fault_fallback "))
        .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(' ') + 1).trim())).sum();
  }

  /** The AnonHugePages line of the mapping holding {@code address} in /proc/self/smaps. */
  private static long anonHugePagesKiB(long address) throws IOException {
    List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
    boolean inside = false;
    for (String line : lines) {
      if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
        String[] range = line.substring(0, line.indexOf(' ')).split("-");
        inside = Long.parseUnsignedLong(range[0], 16) <= address && address < Long.parseUnsignedLong(range[1], 16);
      } else if (inside && line.startsWith("AnonHugePages:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new AssertionError("no mapping holds address " + Long.toHexString(address) + " in /proc/self/smaps");
  }
}
