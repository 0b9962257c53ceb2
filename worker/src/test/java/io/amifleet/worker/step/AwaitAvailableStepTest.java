package io.amifleet.worker.step;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.message.JobMessage;
import io.amifleet.worker.WorkerSettings;
import io.amifleet.worker.image.Ec2Target;
import io.amifleet.worker.image.ImageInfo;
import io.amifleet.worker.image.ImageMaker.ImageRef;
import io.amifleet.worker.job.JobContext;
import io.amifleet.worker.testing.TestImages;
import io.amifleet.worker.testing.TestJobs;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class AwaitAvailableStepTest {
  private record Wait(Ec2Target target, String imageId, Instant deadline) {}

  private final List<Wait> waits = new ArrayList<>();
  private final CompletableFuture<ImageInfo> answer = new CompletableFuture<>();
  private final AwaitAvailableStep step =
      new AwaitAvailableStep(
          (target, imageId, deadline) -> {
            waits.add(new Wait(target, imageId, deadline));
            return answer;
          },
          WorkerSettings.defaults().withMaxWait(Duration.ofHours(2)));
  private final JobMessage job = TestJobs.job();

  private JobContext ensured() {
    JobContext context = StepTesting.context(job);
    context.put(EnsureImageStep.IMAGE, new ImageRef("ami-1", true));
    return context;
  }

  @Test
  void waitsForTheEnsuredImageUntilMaxWaitAfterTheJobStarted() {
    step.run(ensured());

    assertThat(waits)
        .containsExactly(
            new Wait(Ec2Target.of(job), "ami-1", StepTesting.STARTED.plus(Duration.ofHours(2))));
  }

  @Test
  void theAvailableImagesSnapshotsGoInTheResult() throws Exception {
    JobContext context = ensured();
    CompletableFuture<Void> done = step.run(context);

    answer.complete(TestImages.image("ami-1", "available"));

    done.get(5, SECONDS);
    assertThat(context.get(AwaitAvailableStep.AVAILABLE).available()).isTrue();
    assertThat(context.result().succeeded(StepTesting.STARTED).snapshotIds())
        .containsExactly("snap-of-ami-1");
  }
}
