package io.amifleet.worker.step;

import static io.amifleet.worker.testing.FakeImageService.Operation.READY;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.common.message.JobMessage;
import io.amifleet.worker.image.Ec2Target;
import io.amifleet.worker.testing.AwsFailures;
import io.amifleet.worker.testing.FakeImageService;
import io.amifleet.worker.testing.TestJobs;
import org.junit.jupiter.api.Test;

class ResolveRoleStepTest {
  private final FakeImageService images = new FakeImageService();
  private final ResolveRoleStep step = new ResolveRoleStep(images);
  private final JobMessage job = TestJobs.job();

  @Test
  void assumesTheJobsRoleInItsAccountAndRegion() throws Exception {
    step.run(StepTesting.context(job)).get(5, SECONDS);

    assertThat(images.calls())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.operation()).isEqualTo(READY);
              assertThat(c.target()).isEqualTo(Ec2Target.of(job));
            });
  }

  @Test
  void aRoleThatCannotBeAssumedFailsTheStep() {
    images.fail(READY, AwsFailures.translated("AccessDenied", 403, "AssumeRole"));

    Throwable error = step.run(StepTesting.context(job)).handle((v, e) -> e).join();

    assertThat(((AmiFleetException) AwsErrors.unwrap(error)).errorCode()).isEqualTo("AccessDenied");
  }
}
