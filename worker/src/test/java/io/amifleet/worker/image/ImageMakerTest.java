package io.amifleet.worker.image;

import static io.amifleet.worker.testing.FakeImageService.Operation.CREATE_IMAGE;
import static io.amifleet.worker.testing.FakeImageService.Operation.DEREGISTER;
import static io.amifleet.worker.testing.FakeImageService.Operation.FIND_BY_JOB_ID;
import static io.amifleet.worker.testing.FakeImageService.Operation.INSTANCE_TAGS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.common.error.ErrorCodes;
import io.amifleet.common.error.ErrorKind;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.Tags;
import io.amifleet.worker.testing.AwsFailures;
import io.amifleet.worker.testing.FakeImageService;
import io.amifleet.worker.testing.Journal;
import io.amifleet.worker.testing.TestImages;
import io.amifleet.worker.testing.TestJobs;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class ImageMakerTest {
  private final Journal journal = new Journal();
  private final FakeImageService images = new FakeImageService(journal);
  private final ImageMaker maker =
      new ImageMaker(
          images,
          Executors.newSingleThreadScheduledExecutor(),
          Duration.ofMillis(5),
          Duration.ofMillis(10));

  private final JobMessage job = TestJobs.job();
  private final Ec2Target target = Ec2Target.of(job);

  private ImageMaker.ImageRef ensure(JobMessage job) throws Exception {
    return maker.ensure(Ec2Target.of(job), job).get(5, SECONDS);
  }

  private static AmiFleetException failureOf(CompletableFuture<?> future) {
    Throwable t = future.handle((v, e) -> e).orTimeout(5, SECONDS).join();
    assertThat(t).as("ensure should have failed").isNotNull();
    return (AmiFleetException) AwsErrors.unwrap(t);
  }

  /** CreateImage refused because the name is taken, as the project sees it from the SDK. */
  private static AmiFleetException duplicateName() {
    return AwsFailures.translated(
        "InvalidAMIName.Duplicate",
        400,
        "CreateImage i-0123456789abcdef0 in 111111111111/us-east-1");
  }

  @Test
  void redeliveredJobAdoptsItsAvailableImageWithoutCreatingOne() throws Exception {
    images.put(target, TestImages.of(job, "ami-0aaa", "available", "t1"));

    ImageMaker.ImageRef ref = ensure(job);

    assertThat(ref).isEqualTo(new ImageMaker.ImageRef("ami-0aaa", true));
    assertThat(images.count(CREATE_IMAGE)).isZero();
  }

  @Test
  void redeliveredJobAdoptsItsPendingImageWithoutCreatingOne() throws Exception {
    images.put(target, TestImages.of(job, "ami-0aaa", "pending", "t1"));

    assertThat(ensure(job)).isEqualTo(new ImageMaker.ImageRef("ami-0aaa", true));
    assertThat(images.count(CREATE_IMAGE)).isZero();
  }

  @Test
  void imageOfAnotherJobIsNotAdopted() throws Exception {
    images.put(
        target, TestImages.ofJob("ami-0aaa", "other-name", "available", "another-job", "t1"));

    ImageMaker.ImageRef ref = ensure(job);

    assertThat(ref.adopted()).isFalse();
    assertThat(ref.imageId()).isNotEqualTo("ami-0aaa");
    assertThat(images.count(CREATE_IMAGE)).isEqualTo(1);
  }

  @Test
  void availableImageIsPreferredOverAnOlderPendingOne() throws Exception {
    // The pending one sorts first by creation date and by ID: only its state puts it second.
    images.put(target, TestImages.of(job, "ami-0aaa", "pending", "2026-11-28T01:00:00.000Z"));
    images.put(target, TestImages.of(job, "ami-0bbb", "available", "2026-11-28T02:00:00.000Z"));

    assertThat(ensure(job)).isEqualTo(new ImageMaker.ImageRef("ami-0bbb", true));
  }

  @Test
  void failedEarlierImageIsDeregisteredBeforeANewOneIsCreated() throws Exception {
    images.put(target, TestImages.of(job, "ami-0bad", "failed", "t1"));

    ImageMaker.ImageRef ref = ensure(job);

    assertThat(ref.adopted()).isFalse();
    assertThat(ref.imageId()).isNotEqualTo("ami-0bad");
    assertThat(images.calls())
        .filteredOn(c -> c.operation() == DEREGISTER)
        .singleElement()
        .satisfies(c -> assertThat(c.ids()).containsExactly("ami-0bad"));
    assertThat(journal.entries()).containsSubsequence("deregister", "createImage");
  }

  @Test
  void createsWithTheDeterministicNameNoRebootAndAmifleetTags() throws Exception {
    ImageMaker.ImageRef ref = ensure(job);

    assertThat(ref.adopted()).isFalse();
    assertThat(images.image(target, ref.imageId())).isNotNull();
    ImageRequest request = images.createRequests().get(0);
    assertThat(request.instanceId()).isEqualTo(job.instanceId());
    assertThat(request.name()).isEqualTo(job.imageName());
    assertThat(request.noReboot()).isTrue();
    assertThat(request.tags()).isEqualTo(ImageTags.of(job, Map.of()));
    assertThat(request.tags())
        .containsEntry(Tags.JOB_ID, job.jobId())
        .containsEntry(Tags.RUN_ID, job.runId())
        .containsEntry(Tags.SOURCE_INSTANCE, job.instanceId())
        .containsEntry(Tags.MANAGED, "true")
        .containsEntry("Purpose", "nightly-image");
  }

  @Test
  void jobThatAsksForARebootCreatesWithNoRebootFalse() throws Exception {
    ensure(TestJobs.builder().reboot(true).build());

    assertThat(images.createRequests().get(0).noReboot()).isFalse();
  }

  @Test
  void instanceTagsAreCopiedWhenTheJobAsks() throws Exception {
    JobMessage copying = TestJobs.builder().copyInstanceTags(true).build();
    images.setInstanceTags(copying.instanceId(), Map.of("Name", "web-1", "Team", "web"));

    ensure(copying);

    assertThat(images.createRequests().get(0).tags())
        .containsEntry("Name", "web-1")
        .containsEntry("Team", "web");
  }

  @Test
  void instanceTagsAreNotCopiedWhenTheJobDoesNotAsk() throws Exception {
    images.setInstanceTags(job.instanceId(), Map.of("Name", "web-1", "Team", "web"));

    ensure(job);

    assertThat(images.count(INSTANCE_TAGS)).isZero();
    assertThat(images.createRequests().get(0).tags()).doesNotContainKeys("Name", "Team");
  }

  @Test
  void duplicateNameHeldByTheJobsOwnImageIsAdopted() throws Exception {
    // The job's image exists but the tag filter does not see it yet (eventual consistency).
    images.put(target, TestImages.of(job, "ami-0own", "pending", "t1"));
    images.hideFromJobIdLookup("ami-0own");
    images.fail(CREATE_IMAGE, duplicateName());

    ImageMaker.ImageRef ref = ensure(job);

    assertThat(ref).isEqualTo(new ImageMaker.ImageRef("ami-0own", true));
    assertThat(images.count(CREATE_IMAGE)).isEqualTo(1);
  }

  @Test
  void duplicateNameHeldByAnotherImageIsANameConflict() {
    images.put(
        target, TestImages.ofJob("ami-0foreign", job.imageName(), "available", "another", "t1"));
    images.fail(CREATE_IMAGE, duplicateName());

    AmiFleetException e = failureOf(maker.ensure(target, job));

    assertThat(e.errorCode()).isEqualTo(ErrorCodes.IMAGE_NAME_CONFLICT);
    assertThat(e.kind()).isEqualTo(ErrorKind.PERMANENT);
    assertThat(e.getMessage()).contains("ami-0foreign", job.imageName());
  }

  @Test
  void otherCreateImageErrorsFailTheJobUnchanged() {
    AmiFleetException throttled = AwsFailures.throttled();
    images.fail(CREATE_IMAGE, throttled);

    AmiFleetException e = failureOf(maker.ensure(target, job));

    assertThat(e).isSameAs(throttled);
    assertThat(images.count(FakeImageService.Operation.FIND_BY_NAME)).isZero();
  }

  @Test
  void twoDeliveriesAtOnceCreateOneImageAndTheSecondAdoptsIt() throws Exception {
    images.hold(CREATE_IMAGE);

    CompletableFuture<ImageMaker.ImageRef> first = maker.ensure(target, job);
    CompletableFuture<ImageMaker.ImageRef> second = maker.ensure(target, job);
    assertThat(first).isNotDone();
    assertThat(second).isNotDone();
    images.release(CREATE_IMAGE);

    ImageMaker.ImageRef made = first.get(5, SECONDS);
    assertThat(made.adopted()).isFalse();
    assertThat(second.get(5, SECONDS)).isEqualTo(new ImageMaker.ImageRef(made.imageId(), true));
    assertThat(images.count(CREATE_IMAGE)).isEqualTo(1);
    assertThat(images.count(FIND_BY_JOB_ID)).isEqualTo(1);
  }

  @Test
  void nextDeliveryAfterTheFirstFinishedLooksUpAgainAndAdopts() throws Exception {
    ImageMaker.ImageRef made = ensure(job);

    ImageMaker.ImageRef again = ensure(job);

    assertThat(again).isEqualTo(new ImageMaker.ImageRef(made.imageId(), true));
    assertThat(images.count(CREATE_IMAGE)).isEqualTo(1);
  }

  // ---- issue 19: a job ID alone does not make an image the job's; names taken during lag -----

  @Test
  void imageWithTheJobsIdButAnotherSourceInstanceIsNotAdopted() throws Exception {
    images.put(
        target,
        TestImages.withTag(
            TestImages.of(job, "ami-0copy", "available", "t1"),
            Tags.SOURCE_INSTANCE,
            "i-0aaaaaaaaaaaaaaa1"));

    ImageMaker.ImageRef ref = ensure(job);

    assertThat(ref.adopted()).isFalse();
    assertThat(ref.imageId()).isNotEqualTo("ami-0copy");
    assertThat(images.count(CREATE_IMAGE)).isEqualTo(1);
    assertThat(images.count(DEREGISTER)).as("not ours to deregister either").isZero();
  }

  @Test
  void imageWithTheJobsTagsInAnotherAccountIsNotAdopted() throws Exception {
    images.put(
        target, TestImages.of(job, "ami-0shared", "available", "t1").withOwner("999999999999"));

    ImageMaker.ImageRef ref = ensure(job);

    assertThat(ref.adopted()).isFalse();
    assertThat(ref.imageId()).isNotEqualTo("ami-0shared");
  }

  @Test
  void imageWithTheJobsIdButAnotherRunIsNotAdopted() throws Exception {
    images.put(
        target,
        TestImages.withTag(
            TestImages.of(job, "ami-0other", "available", "t1"), Tags.RUN_ID, "another-run"));

    assertThat(ensure(job).adopted()).isFalse();
  }

  @Test
  void nameHeldByAnImageWithTheJobsIdButAnotherSourceInstanceIsANameConflict() {
    images.enforceUniqueNames();
    ImageInfo copy =
        TestImages.withTag(
            TestImages.of(job, "ami-0copy", "available", "t1"),
            Tags.SOURCE_INSTANCE,
            "i-0aaaaaaaaaaaaaaa1");
    images.put(target, copy);
    images.hideFromJobIdLookup("ami-0copy");

    AmiFleetException e = failureOf(maker.ensure(target, job));

    assertThat(e.errorCode()).isEqualTo(ErrorCodes.IMAGE_NAME_CONFLICT);
    assertThat(e.getMessage()).contains("ami-0copy");
  }

  @Test
  void nameTakenByAnImageNotVisibleYetIsLookedUpAgainAndAdoptedWhenItAppears() throws Exception {
    // An earlier attempt made the image, but DescribeImages does not show it for the next two
    // look-ups (by job ID, then by name); CreateImage refuses the name meanwhile.
    images.enforceUniqueNames();
    images.put(target, TestImages.of(job, "ami-0late", "pending", "t1"));
    images.hideFromLookups("ami-0late", 2);

    ImageMaker.ImageRef ref = ensure(job);

    assertThat(ref).isEqualTo(new ImageMaker.ImageRef("ami-0late", true));
    assertThat(images.count(CREATE_IMAGE)).isEqualTo(1);
    assertThat(images.count(FakeImageService.Operation.FIND_BY_NAME)).isEqualTo(2);
    assertThat(images.createdImageIds()).isEmpty();
  }

  @Test
  void nameStillTakenByAnInvisibleImageAfterTheLookUpsIsRetryableNotAConflict() {
    images.enforceUniqueNames();
    images.put(target, TestImages.of(job, "ami-0late", "pending", "t1"));
    images.hideFromLookups("ami-0late", 100);

    AmiFleetException e = failureOf(maker.ensure(target, job));

    assertThat(e.errorCode()).isEqualTo(ErrorCodes.IMAGE_NOT_VISIBLE_YET);
    assertThat(e.kind()).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(e.getMessage()).contains(job.imageName(), "does not show yet");
    assertThat(images.count(FakeImageService.Operation.FIND_BY_NAME))
        .isEqualTo(ImageMaker.NAME_LOOKUPS);
  }

  @Test
  void imageMadeByANewCreateImageThatLagsIsAdoptedByTheNextAttempt() throws Exception {
    // The first attempt's CreateImage worked, but the job was retried (its answer was lost, say):
    // the image lags behind, so the second attempt meets the taken name and waits for it.
    images.enforceUniqueNames();
    images.lagLookups(3);
    ImageMaker.ImageRef first = ensure(job);

    ImageMaker.ImageRef second = ensure(job);

    assertThat(second).isEqualTo(new ImageMaker.ImageRef(first.imageId(), true));
    assertThat(images.createdImageIds()).containsExactly(first.imageId());
  }
}
