package io.amifleet.worker.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.message.Consistency;
import io.amifleet.common.message.Identifiers;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.Tags;
import io.amifleet.worker.testing.TestJobs;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageTagsTest {
  private static Map<String, String> numbered(String prefix, int count) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      tags.put(prefix + i, "v" + i);
    }
    return tags;
  }

  private static void assertOwnTags(Map<String, String> tags, JobMessage job) {
    assertThat(tags)
        .containsEntry(Tags.JOB_ID, job.jobId())
        .containsEntry(Tags.RUN_ID, job.runId())
        .containsEntry(Tags.SOURCE_INSTANCE, job.instanceId())
        .containsEntry(Tags.MANAGED, "true")
        .containsEntry(Tags.CONSISTENCY, "crash");
  }

  @Test
  void amifleetTagsAreAlwaysPresent() {
    JobMessage job = TestJobs.builder().tags(Map.of()).build();

    Map<String, String> tags = ImageTags.of(job, Map.of());

    assertThat(tags).hasSize(Tags.OWN_TAGS);
    assertOwnTags(tags, job);
  }

  @Test
  void amifleetTagsWinOverInstanceTagsOfTheSameName() {
    JobMessage job = TestJobs.job();
    Map<String, String> instance =
        Map.of(
            Tags.JOB_ID,
            "someone-elses-job",
            Tags.RUN_ID,
            "old-run",
            Tags.SOURCE_INSTANCE,
            "i-00000000",
            Tags.MANAGED,
            "false",
            "amifleet:other",
            "x");

    Map<String, String> tags = ImageTags.of(job, instance);

    assertOwnTags(tags, job);
    assertThat(tags).doesNotContainKey("amifleet:other");
  }

  @Test
  void theConsistencyTagSaysWhatTheJobDid() {
    JobMessage rebooting = TestJobs.builder().reboot(true).build();

    assertThat(ImageTags.of(rebooting, Map.of())).containsEntry(Tags.CONSISTENCY, "reboot");
    assertThat(ImageTags.of(TestJobs.job(), Map.of(), Consistency.APPLICATION))
        .containsEntry(Tags.CONSISTENCY, "application");
  }

  @Test
  void jobTagsWinOverInstanceTags() {
    JobMessage job = TestJobs.builder().tags(Map.of("Team", "platform")).build();

    Map<String, String> tags = ImageTags.of(job, Map.of("Team", "web", "Name", "web-1"));

    assertThat(tags).containsEntry("Team", "platform").containsEntry("Name", "web-1");
  }

  @Test
  void awsTagsAreNeverCopied() {
    Map<String, String> tags =
        ImageTags.of(
            TestJobs.job(),
            Map.of(
                "aws:cloudformation:stack-name", "web",
                "aws:autoscaling:groupName", "web-asg",
                "Name", "web-1"));

    assertThat(tags.keySet()).noneMatch(k -> k.startsWith("aws:"));
    assertThat(tags).containsEntry("Name", "web-1");
  }

  @Test
  void tagsAreCappedAtFiftyKeepingAmifleetsAndTheJobs() {
    Map<String, String> jobTags = numbered("job", Identifiers.MAX_TAGS - Tags.OWN_TAGS);
    JobMessage job = TestJobs.builder().tags(jobTags).build();

    Map<String, String> tags = ImageTags.of(job, numbered("instance", 20));

    assertThat(tags).hasSize(Identifiers.MAX_TAGS);
    assertOwnTags(tags, job);
    assertThat(tags).containsAllEntriesOf(jobTags);
    assertThat(tags.keySet()).noneMatch(k -> k.startsWith("instance"));
  }

  @Test
  void instanceTagsFillUpToFifty() {
    JobMessage job = TestJobs.builder().tags(numbered("job", 10)).build();

    Map<String, String> tags = ImageTags.of(job, numbered("instance", 100));

    assertThat(tags).hasSize(Identifiers.MAX_TAGS);
    assertThat(tags.keySet().stream().filter(k -> k.startsWith("instance"))).hasSize(35);
  }

  @Test
  void snapshotTagsAreTheImagesWithoutAwsTagsInAnyCase() {
    ImageInfo image =
        new ImageInfo(
            "ami-1",
            "web-1",
            ImageState.AVAILABLE,
            null,
            List.of("snap-1"),
            Map.of(
                Tags.JOB_ID,
                "job-1",
                "Purpose",
                "nightly-image",
                "aws:backup:source-resource",
                "arn:aws:ec2:us-east-1::image/ami-1",
                "AWS:upper",
                "x"),
            null,
            null,
            "111111111111");

    assertThat(ImageTags.forSnapshots(image.tags()))
        .isEqualTo(Map.of(Tags.JOB_ID, "job-1", "Purpose", "nightly-image"));
  }
}
