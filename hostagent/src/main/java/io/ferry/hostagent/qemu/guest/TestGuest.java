package io.ferry.hostagent.qemu.guest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Ferry's migration test guest, like QEMU's own: a 512-byte x86 boot sector that switches to 32-bit protected mode,
 * prints {@code A} on the serial port (0x3f8), zeroes the first byte of every 4 KiB page of
 * [{@code startBytes}, {@code endBytes}), then forever increments those bytes page by page, spins
 * {@code delayLoops} times (to set the dirty rate) and prints {@link #MARKER} after each pass.
 *
 * <p>The machine code is written out below, one instruction per line with its assembly, so no assembler is needed;
 * the range and delay are 32-bit immediates patched at build time. The image is padded to 1 MiB so every disk
 * controller (IDE, virtio-blk) and SeaBIOS accept it as a raw boot disk.
 */
public final class TestGuest {
  /** The character written after every pass over the range. */
  public static final char MARKER = 'B';
  /** The character written once at start. */
  public static final char START = 'A';
  public static final int PAGE_BYTES = 4096;
  private static final int IMAGE_BYTES = 1 << 20;

  // Offsets of the patched 32-bit immediates inside the code.
  private static final int ZERO_START = 0x31;
  private static final int ZERO_END = 0x3e;
  private static final int PASS_START = 0x45;
  private static final int PASS_END = 0x51;
  private static final int DELAY = 0x58;
  // `jmp pass` after the marker, and the padding byte after it: an idle guest halts there instead
  private static final int JMP_PASS = 0x63;
  private static final int[] HALT_FOREVER = {0xf4, 0xeb, 0xfd}; // hlt; jmp hlt (interrupts are off: it stays)

  private static final int[] CODE = {
    // .code16, loaded by the BIOS at 0x7c00
    0xfa, //                          cli
    0x31, 0xc0, //                    xor %ax,%ax
    0x8e, 0xd8, //                    mov %ax,%ds
    0x66, 0x0f, 0x01, 0x16, 0x80, 0x7c, // lgdtl gdtdesc (0x7c80)
    0x0f, 0x20, 0xc0, //              mov %cr0,%eax
    0x66, 0x83, 0xc8, 0x01, //        or $1,%eax            (protection enable)
    0x0f, 0x22, 0xc0, //              mov %eax,%cr0
    0x66, 0xea, 0x1d, 0x7c, 0x00, 0x00, 0x08, 0x00, // ljmpl $8,$pm (0x7c1d)
    // .code32 pm:
    0xb8, 0x10, 0x00, 0x00, 0x00, //  mov $16,%eax          (flat data segment)
    0x8e, 0xd8, //                    mov %eax,%ds
    0x8e, 0xc0, //                    mov %eax,%es
    0x8e, 0xd0, //                    mov %eax,%ss
    0xba, 0xf8, 0x03, 0x00, 0x00, //  mov $0x3f8,%edx       (COM1)
    0xb0, 0x41, //                    mov $'A',%al
    0xee, //                          outb %al,%dx
    0xb8, 0x00, 0x00, 0x10, 0x00, //  mov $START,%eax       (patched, offset 0x31)
    // zero:
    0xc6, 0x00, 0x00, //              movb $0,(%eax)
    0x05, 0x00, 0x10, 0x00, 0x00, //  add $4096,%eax
    0x3d, 0x00, 0x00, 0x00, 0x01, //  cmp $END,%eax         (patched, offset 0x3e)
    0x72, 0xf1, //                    jb zero
    // pass:
    0xb8, 0x00, 0x00, 0x10, 0x00, //  mov $START,%eax       (patched, offset 0x45)
    // inner:
    0xfe, 0x00, //                    incb (%eax)
    0x05, 0x00, 0x10, 0x00, 0x00, //  add $4096,%eax
    0x3d, 0x00, 0x00, 0x00, 0x01, //  cmp $END,%eax         (patched, offset 0x51)
    0x72, 0xf2, //                    jb inner
    0xb9, 0x00, 0x00, 0x00, 0x00, //  mov $DELAY,%ecx       (patched, offset 0x58)
    0xe3, 0x02, //                    jecxz marker
    // delay:
    0xe2, 0xfe, //                    loop delay
    // marker:
    0xb0, 0x42, //                    mov $'B',%al
    0xee, //                          outb %al,%dx
    0xeb, 0xdf, //                    jmp pass
    0x8d, 0x76, 0x00, //              (padding to 8-byte alignment, never executed)
    // gdt (0x7c68): null, code (base 0, 4 GiB, 32-bit, execute/read), data (base 0, 4 GiB, read/write)
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xff, 0x00, 0x00, 0x00, 0x9a, 0xcf, 0x00,
    0xff, 0xff, 0x00, 0x00, 0x00, 0x92, 0xcf, 0x00,
    // gdtdesc (0x7c80): limit 23, base 0x7c68
    0x17, 0x00, 0x68, 0x7c, 0x00, 0x00,
  };

  private final long startBytes;
  private final long endBytes;
  private final long delayLoops;
  private final boolean haltAfterFirstPass;

  /**
   * @param startBytes first guest-physical address of the range (page aligned, at least 1 MiB: below is the BIOS)
   * @param endBytes end of the range (page aligned, exclusive), below the guest's RAM size minus what the BIOS uses
   * @param delayLoops busy-wait iterations after each pass (0 = as fast as possible)
   */
  public TestGuest(long startBytes, long endBytes, long delayLoops) {
    this(startBytes, endBytes, delayLoops, false);
  }

  private TestGuest(long startBytes, long endBytes, long delayLoops, boolean haltAfterFirstPass) {
    if (startBytes < (1 << 20) || startBytes % PAGE_BYTES != 0) {
      throw new IllegalArgumentException("startBytes must be page aligned and >= 1 MiB, got " + startBytes);
    }
    if (endBytes <= startBytes || endBytes % PAGE_BYTES != 0 || endBytes > 0xffff_f000L) {
      throw new IllegalArgumentException("endBytes must be page aligned, above startBytes and < 4 GiB, got "
          + endBytes);
    }
    if (delayLoops < 0 || delayLoops > 0xffff_ffffL) {
      throw new IllegalArgumentException("delayLoops must fit 32 bits unsigned, got " + delayLoops);
    }
    this.startBytes = startBytes;
    this.endBytes = endBytes;
    this.delayLoops = delayLoops;
    this.haltAfterFirstPass = haltAfterFirstPass;
  }

  /** A guest for {@code memoryMiB} of RAM: the range 1 MiB .. memoryMiB - 4 MiB (the BIOS keeps the top). */
  public static TestGuest forMemory(int memoryMiB, long delayLoops) {
    return new TestGuest(1L << 20, (memoryMiB - 4L) << 20, delayLoops);
  }

  /**
   * An idle guest for {@code memoryMiB}: it writes every page of its range once (so none is a zero page), prints one
   * marker and halts with interrupts off, writing nothing more and leaving its vCPU idle (a delay loop would wake
   * up and dirty the whole range again every few seconds under TCG).
   */
  public static TestGuest idleAfterFirstPass(int memoryMiB) {
    return new TestGuest(1L << 20, (memoryMiB - 4L) << 20, 0, true);
  }

  public long startBytes() {
    return startBytes;
  }

  public long endBytes() {
    return endBytes;
  }

  /** The 512-byte boot sector. */
  public byte[] bootSector() {
    ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
    for (int c : CODE) {
      b.put((byte) c);
    }
    b.putInt(ZERO_START, (int) startBytes).putInt(ZERO_END, (int) endBytes);
    b.putInt(PASS_START, (int) startBytes).putInt(PASS_END, (int) endBytes);
    b.putInt(DELAY, (int) delayLoops);
    if (haltAfterFirstPass) {
      for (int i = 0; i < HALT_FOREVER.length; i++) {
        b.put(JMP_PASS + i, (byte) HALT_FOREVER[i]);
      }
    }
    b.put(510, (byte) 0x55).put(511, (byte) 0xaa);
    return b.array();
  }

  /** Writes the raw boot image (boot sector padded to 1 MiB) to {@code image}. */
  public Path writeImage(Path image) {
    byte[] disk = new byte[IMAGE_BYTES];
    System.arraycopy(bootSector(), 0, disk, 0, 512);
    try {
      Files.write(image, disk);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the test guest image " + image, e);
    }
    return image;
  }

  /**
   * Writes the test guest image: {@code TestGuest OUT.img [memoryMiB=64] [delayLoops=0]} (see docs/vm-spec.md).
   */
  public static void main(String[] args) {
    if (args.length < 1) {
      System.err.println("usage: TestGuest OUT.img [memoryMiB=64] [delayLoops=0]");
      System.exit(2);
    }
    int memoryMiB = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    long delay = args.length > 2 ? Long.parseLong(args[2]) : 0;
    forMemory(memoryMiB, delay).writeImage(Path.of(args[0]));
  }
}
