package io.amifleet.worker.step;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.message.PruneMessage;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.testing.MutableClock;
import io.amifleet.worker.job.JobContext;
import io.amifleet.worker.prune.Pruner;
import io.amifleet.worker.testing.FakeImageService;
import io.amifleet.worker.testing.FakeImageUsage;
import io.amifleet.worker.testing.TestJobs;
import org.junit.jupiter.api.Test;

class ApplyRetentionStepTest {
  private final FakeImageService images = new FakeImageService();
  private final ApplyRetentionStep step =
      new ApplyRetentionStep(
          new Pruner(images, new FakeImageUsage(), new MutableClock(StepTesting.STARTED)));

  @Test
  void theRetentionSummaryGoesInTheResultOfTheRetentionJob() throws Exception {
    PruneMessage prune = TestJobs.prune(3);
    JobContext context = StepTesting.context(prune);

    step.run(context).get(5, SECONDS);

    ResultMessage result = context.result().succeeded(StepTesting.STARTED);
    assertThat(result.isPrune()).isTrue();
    assertThat(result.prune()).isNotNull();
    assertThat(result.prune().deletedImageIds()).isEmpty();
    assertThat(result.instanceId()).isNull();
  }
}
