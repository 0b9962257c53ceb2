package io.amifleet.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkerSettingsTest {
  @Test
  void visibilityTimeoutTheHeartbeatCannotSustainIsRefused() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> WorkerSettings.defaults().withVisibilityTimeout(Duration.ofSeconds(5)))
        .withMessageStartingWith("--visibility-timeout must be between 30s and 1h");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> WorkerSettings.defaults().withVisibilityTimeout(Duration.ofSeconds(29)));
    assertThat(
            WorkerSettings.defaults()
                .withVisibilityTimeout(WorkerSettings.MIN_VISIBILITY_TIMEOUT)
                .visibilityTimeout())
        .isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void anEmptyAllowListIsRefusedNotReadAsAnyAccount() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> WorkerSettings.defaults().withAllowedAccounts(Set.of()))
        .withMessageContaining("--allow-account: the list is empty");
  }

  @Test
  void noAllowListMeansAnyAccountAndAListIsKeptAsGiven() {
    assertThat(WorkerSettings.defaults().allowedAccounts()).isEqualTo(Optional.empty());
    assertThat(
            WorkerSettings.defaults().withAllowedAccounts(Set.of("111111111111")).allowedAccounts())
        .contains(Set.of("111111111111"));
  }

  @Test
  void receiveWaitMustBeWhatSqsLongPollingAccepts() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> WorkerSettings.defaults().withReceiveWait(Duration.ofSeconds(21)))
        .withMessage("--receive-wait must be 1s to 20s (SQS long polling), not 21s");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> WorkerSettings.defaults().withReceiveWait(Duration.ofMillis(999)));
    assertThat(WorkerSettings.defaults().receiveWait()).isEqualTo(Duration.ofSeconds(20));
    assertThat(WorkerSettings.defaults().withReceiveWait(Duration.ofSeconds(1)).receiveWait())
        .isEqualTo(Duration.ofSeconds(1));
  }
}
