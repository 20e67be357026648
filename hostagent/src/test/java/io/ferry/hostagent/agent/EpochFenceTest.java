package io.ferry.hostagent.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

class EpochFenceTest {
  private final EpochFence fence = new EpochFence();

  @Test
  void acceptsSameAndNewerEpochs() {
    fence.admit(3, "migrate");
    fence.admit(3, "migrate");
    fence.admit(5, "migrate");
    assertThat(fence.highestSeen()).isEqualTo(5);
  }

  @Test
  void rejectsCommandFromStaleLeader() {
    fence.admit(7, "set host mode");
    assertThatThrownBy(() -> fence.admit(6, "migrate vm-1"))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).contains("epoch 6").contains("epoch 7");
        });
    assertThat(fence.highestSeen()).isEqualTo(7);
  }

  @Test
  void rejectsCommandWithoutEpoch() {
    assertThatThrownBy(() -> fence.admit(0, "migrate"))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
  }
}
