package io.ferry.hostagent.qemu.guest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a memory dump of the {@link TestGuest} range: every page's first byte equals the previous page's, except at
 * most one single step of -1 (mod 256), where the guest's pass was stopped. Any other difference is corruption.
 */
public final class MemoryConsistency {
  private MemoryConsistency() {}

  /** The verdict: consistent, or the first corrupted pages. */
  public record Report(boolean consistent, int pages, int steps, List<String> problems) {
    @Override
    public String toString() {
      return consistent ? "consistent (" + pages + " pages, " + steps + " step)"
          : "corrupted: " + String.join("; ", problems);
    }
  }

  /** Checks a dump (e.g. written by QMP {@code pmemsave}) that starts at {@code startBytes} of the guest. */
  public static Report check(Path dump, long startBytes) {
    try {
      return check(Files.readAllBytes(dump), startBytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read memory dump " + dump, e);
    }
  }

  /** Checks {@code memory}, a copy of guest RAM starting at guest-physical {@code startBytes}. */
  public static Report check(byte[] memory, long startBytes) {
    int pages = memory.length / TestGuest.PAGE_BYTES;
    List<String> problems = new ArrayList<>();
    int steps = 0;
    for (int i = 1; i < pages; i++) {
      int prev = memory[(i - 1) * TestGuest.PAGE_BYTES] & 0xff;
      int cur = memory[i * TestGuest.PAGE_BYTES] & 0xff;
      if (cur == prev) {
        continue;
      }
      long address = startBytes + (long) i * TestGuest.PAGE_BYTES;
      if (cur == ((prev - 1) & 0xff) && steps == 0) {
        steps++;
      } else if (problems.size() < 10) {
        problems.add(String.format("page at 0x%x holds %d after %d", address, cur, prev));
      }
    }
    return new Report(problems.isEmpty(), pages, steps, List.copyOf(problems));
  }
}
