package io.ferry.hostagent.qemu.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MemoryConsistencyTest {
  static byte[] pages(int... firstBytes) {
    byte[] m = new byte[firstBytes.length * TestGuest.PAGE_BYTES];
    for (int i = 0; i < firstBytes.length; i++) {
      m[i * TestGuest.PAGE_BYTES] = (byte) firstBytes[i];
    }
    return m;
  }

  @Test
  void aPassStoppedHalfwayIsConsistent() {
    MemoryConsistency.Report r = MemoryConsistency.check(pages(8, 8, 8, 7, 7), 1 << 20);
    assertTrue(r.consistent(), r.toString());
    assertEquals(1, r.steps());
  }

  @Test
  void theStepWrapsAround256() {
    assertTrue(MemoryConsistency.check(pages(0, 0, 255, 255), 1 << 20).consistent());
  }

  @Test
  void aPassStoppedAtItsEndIsConsistent() {
    assertTrue(MemoryConsistency.check(pages(3, 3, 3), 1 << 20).consistent());
  }

  @Test
  void aSecondStepIsCorruption() {
    MemoryConsistency.Report r = MemoryConsistency.check(pages(9, 8, 8, 7), 1 << 20);
    assertFalse(r.consistent());
    assertEquals("corrupted: page at 0x103000 holds 7 after 8", r.toString());
  }

  @Test
  void aPageAheadIsCorruption() {
    assertFalse(MemoryConsistency.check(pages(5, 5, 6, 5), 1 << 20).consistent());
  }

  @Test
  void theBootSectorCarriesTheRangeAndTheBootSignature() {
    byte[] b = new TestGuest(2 << 20, 8 << 20, 7).bootSector();
    assertEquals(512, b.length);
    assertEquals((byte) 0x55, b[510]);
    assertEquals((byte) 0xaa, b[511]);
    assertEquals(0x20, b[0x45 + 2]); // mov $0x00200000,%eax
    assertEquals((byte) 0x80, b[0x51 + 2]); // cmp $0x00800000,%eax
    assertEquals(7, b[0x58]); // mov $7,%ecx
  }
}
