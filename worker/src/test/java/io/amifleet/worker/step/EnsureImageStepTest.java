package io.amifleet.worker.step;

import static io.amifleet.worker.testing.FakeImageService.Operation.CREATE_IMAGE;
import static io.amifleet.worker.testing.FakeImageService.Operation.FIND_BY_JOB_ID;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.worker.image.Ec2Target;
import io.amifleet.worker.image.ImageMaker;
import io.amifleet.worker.image.NewJobs;
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
  private final ImageMaker maker =
      new ImageMaker(images, timer, Duration.ofMillis(1), Duration.ofMillis(1));
  private final EnsureImageStep step = new EnsureImageStep(maker, NewJobs.NONE, events);
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

  @Test
  void theFirstAttemptOfAJobOfARunThisProcessMadeDoesNotLookUp() throws Exception {
    EnsureImageStep newRun = new EnsureImageStep(maker, NewJobs.ofRun(job.runId()), events);
    JobContext first = StepTesting.context(job);

    newRun.run(first).get(5, SECONDS);

    assertThat(images.count(FIND_BY_JOB_ID)).isZero();
    assertThat(images.count(CREATE_IMAGE)).isEqualTo(1);
    assertThat(first.result().succeeded(StepTesting.STARTED).adopted()).isFalse();
  }

  @Test
  void aRetryOfAJobOfARunThisProcessMadeStillLooksUpAndAdopts() throws Exception {
    EnsureImageStep newRun = new EnsureImageStep(maker, NewJobs.ofRun(job.runId()), events);
    images.put(Ec2Target.of(job), TestImages.of(job, "ami-0firsttry", "pending", "t1"));
    JobContext second = StepTesting.context(job, 2);

    newRun.run(second).get(5, SECONDS);

    assertThat(images.count(FIND_BY_JOB_ID)).isEqualTo(1);
    assertThat(images.count(CREATE_IMAGE)).isZero();
    assertThat(second.result().succeeded(StepTesting.STARTED).imageId()).isEqualTo("ami-0firsttry");
  }

  @Test
  void theFirstAttemptOfAJobOfAnotherRunLooksUp() throws Exception {
    EnsureImageStep newRun = new EnsureImageStep(maker, NewJobs.ofRun("another-run"), events);
    images.put(Ec2Target.of(job), TestImages.of(job, "ami-0earlier", "available", "t1"));

    newRun.run(StepTesting.context(job)).get(5, SECONDS);

    assertThat(images.count(FIND_BY_JOB_ID)).isEqualTo(1);
    assertThat(images.count(CREATE_IMAGE)).isZero();
  }
}
