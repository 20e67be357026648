package io.ferry.hostagent.signals;

import java.util.ArrayList;
import java.util.List;

/**
 * smartctl's exit status, which is a bit mask and not a success/failure code: a healthy disk with an old entry
 * in its error log exits 64. Only bits 0 and 1 mean smartctl could not read the disk at all.
 */
public record SmartctlExitStatus(int bits) {
  private static final String[] WORDS = {
      "command line did not parse",
      "device open failed",
      "SMART command failed or checksum error",
      "SMART status: disk failing",
      "prefail attributes at or below threshold",
      "attributes were at or below threshold in the past",
      "device error log has errors",
      "self-test log has errors",
  };

  /** Every set bit in words, lowest bit first; empty for 0. */
  public List<String> words() {
    List<String> words = new ArrayList<>();
    for (int bit = 0; bit < WORDS.length; bit++) {
      if ((bits & (1 << bit)) != 0) {
        words.add(WORDS[bit]);
      }
    }
    return words;
  }

  /** smartctl could not read the disk (bad arguments or open failure): there is no data to trust. */
  public boolean noData() {
    return (bits & 0b11) != 0;
  }

  /** The disk's own health check says it is failing. */
  public boolean diskFailing() {
    return (bits & 0b1000) != 0;
  }
}
