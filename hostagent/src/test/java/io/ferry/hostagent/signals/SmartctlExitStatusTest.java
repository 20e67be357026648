package io.ferry.hostagent.signals;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SmartctlExitStatusTest {
  @Test
  void decodesEverySetBitIntoWords() {
    // 216 = bits 3, 4, 6 and 7
    SmartctlExitStatus exit = new SmartctlExitStatus(216);

    assertThat(exit.words()).containsExactly(
        "SMART status: disk failing",
        "prefail attributes at or below threshold",
        "device error log has errors",
        "self-test log has errors");
    assertThat(exit.diskFailing()).isTrue();
    assertThat(exit.noData()).isFalse();
  }

  @Test
  void nonZeroIsNotFailed() {
    // 64: an old entry in the error log of an otherwise healthy disk
    SmartctlExitStatus exit = new SmartctlExitStatus(64);

    assertThat(exit.words()).containsExactly("device error log has errors");
    assertThat(exit.diskFailing()).isFalse();
    assertThat(exit.noData()).isFalse();
  }

  @Test
  void openFailureAndCommandLineErrorMeanNoData() {
    assertThat(new SmartctlExitStatus(2).noData()).isTrue();
    assertThat(new SmartctlExitStatus(1).words()).containsExactly("command line did not parse");
    assertThat(new SmartctlExitStatus(6).words())
        .containsExactly("device open failed", "SMART command failed or checksum error");
  }

  @Test
  void zeroHasNoWords() {
    assertThat(new SmartctlExitStatus(0).words()).isEmpty();
  }
}
