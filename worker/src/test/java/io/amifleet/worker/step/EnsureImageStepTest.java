package io.amifleet.worker.step;

import static io.amifleet.worker.testing.FakeImageService.Operation.CREATE_IMAGE;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.worker.image.Ec2Target;
import io.amifleet.worker.image.ImageMaker;
import io.amifleet.worker.job.JobContext;
import io.amifleet.worker.testing.FakeImageService;
import io.amifleet.worker.testing.RecordingEvents;
import io.amifleet.worker.testing.TestImages;
import io.amifleet.worker.testing.TestJobs;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EnsureImageStepTest {
  private final FakeImageService images = new FakeImageService();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final RecordingEvents events = new RecordingEvents();
  private final EnsureImageStep step =
      new EnsureImageStep(
          new ImageMaker(images, timer, Duration.ofMillis(1), Duration.ofMillis(1)), events);
  private final JobMessage job = TestJobs.job();

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  @Test
  void aNewImageIsRecordedAsCreatedNotAdopted() throws Exception {
    JobContext context = StepTesting.context(job);

    step.run(context).get(5, SECONDS);

    String created = images.createdImageIds().get(0);
    assertThat(context.get(EnsureImageStep.IMAGE).imageId()).isEqualTo(created);
    ResultMessage result = context.result().succeeded(StepTesting.STARTED);
    assertThat(result.imageId()).isEqualTo(created);
    assertThat(result.adopted()).isFalse();
    assertThat(events.entries()).containsExactly("created " + job.jobId() + " " + created);
  }

  @Test
  void anImageAnEarlierAttemptMadeIsRecordedAsAdopted() throws Exception {
    images.put(Ec2Target.of(job), TestImages.of(job, "ami-0earlier", "pending", "t1"));
    JobContext context = StepTesting.context(job);

    step.run(context).get(5, SECONDS);

    assertThat(images.count(CREATE_IMAGE)).isZero();
    ResultMessage result = context.result().succeeded(StepTesting.STARTED);
    assertThat(result.imageId()).isEqualTo("ami-0earlier");
    assertThat(result.adopted()).isTrue();
    assertThat(events.entries()).containsExactly("adopted " + job.jobId() + " ami-0earlier");
  }
}
