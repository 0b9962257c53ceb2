package io.amifleet.worker.copy;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.aws.RoleKey;
import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.ErrorKind;
import io.amifleet.common.message.CopyRequest;
import io.amifleet.common.message.JobIds;
import io.amifleet.common.message.JobMessage;
import io.amifleet.worker.image.Ec2Target;
import io.amifleet.worker.image.ImageException;
import io.amifleet.worker.image.ImageInfo;
import io.amifleet.worker.image.ImageState;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a copy is tagged with, which image is a job's copy, and the error a copy ends with. */
class ImageCopierTest {
  private static final String A = "111111111111";
  private static final String VAULT = "999999999999";
  private static final String RUN = "r1";
  private static final String INSTANCE = "i-0123456789abcdef0";
  private static final String JOB_ID = JobIds.jobId(RUN, A, "us-east-1", INSTANCE);
  private static final JobMessage JOB =
      JobMessage.of(
          JOB_ID,
          RUN,
          A,
          "us-east-1",
          "arn:aws:iam::" + A + ":role/AmiFleetCreator",
          null,
          INSTANCE,
          "web-" + JobIds.shortJobId(JOB_ID),
          false,
          Map.of(),
          false,
          Instant.now());
  private static final CopyRequest TO_VAULT =
      new CopyRequest(
          VAULT, "eu-central-1", "arn:aws:iam::" + VAULT + ":role/AmiFleetVault", "x-secret", null);
  private static final Ec2Target SOURCE =
      new Ec2Target(RoleKey.of(JOB.roleArn(), null), A, "us-east-1");

  private static ImageInfo image(String id, Map<String, String> tags, String owner) {
    return new ImageInfo(
        id, "web", ImageState.of("available"), null, List.of(), tags, null, null, owner);
  }

  @Test
  void aVaultCopyIsMadeThroughTheVaultsRoleInTheVault() {
    Ec2Target vault = ImageCopier.destination(SOURCE, TO_VAULT);

    assertThat(vault.role()).isEqualTo(RoleKey.of(TO_VAULT.roleArn(), "x-secret"));
    assertThat(vault.accountId()).isEqualTo(VAULT);
    assertThat(vault.region()).isEqualTo("eu-central-1");
    CopyRequest dr = new CopyRequest(A, "eu-west-1", null, null, null);
    assertThat(ImageCopier.destination(SOURCE, dr).role()).isEqualTo(SOURCE.role());
  }

  @Test
  void aCopyCarriesAmifleetsTagsWhereItComesFromAndTheImagesOwnTagsUpToFifty() {
    Map<String, String> own = new LinkedHashMap<>();
    own.put("amifleet:job-id", "someone-elses");
    own.put("aws:reserved", "x");
    for (int i = 0; i < 60; i++) {
      own.put("t" + i, "v");
    }

    Map<String, String> tags = ImageCopier.tags(JOB, image("ami-0abc", own, A));

    assertThat(tags).hasSize(50);
    assertThat(tags)
        .containsEntry("amifleet:job-id", JOB_ID)
        .containsEntry("amifleet:copy-of", "ami-0abc")
        .containsEntry("amifleet:source-account", A)
        .containsEntry("amifleet:source-region", "us-east-1")
        .containsEntry("amifleet:managed", "true")
        .doesNotContainKey("aws:reserved");
  }

  @Test
  void onlyAnImageOfTheJobCopyingThisSourceInTheDestinationAccountIsTheJobsCopy() {
    ImageInfo source = image("ami-0abc", Map.of(), A);
    Map<String, String> tags = ImageCopier.tags(JOB, source);
    Ec2Target vault = ImageCopier.destination(SOURCE, TO_VAULT);

    assertThat(ImageCopier.copyOf(image("ami-1", tags, VAULT), JOB, source, vault)).isTrue();
    assertThat(ImageCopier.copyOf(image("ami-2", tags, A), JOB, source, vault)).isFalse();
    Map<String, String> ofAnother = new LinkedHashMap<>(tags);
    ofAnother.put("amifleet:copy-of", "ami-0old");
    assertThat(ImageCopier.copyOf(image("ami-3", ofAnother, VAULT), JOB, source, vault)).isFalse();
  }

  @Test
  void aFailedCopyIsCopyFailedOrKmsAccessDeniedAndARetryableErrorStaysRetryable() {
    Ec2Target vault = ImageCopier.destination(SOURCE, TO_VAULT);

    AmiFleetException failed =
        ImageCopier.failure(
            ImageException.failed("ami-1", "image ami-1 is failed: internal error"),
            TO_VAULT,
            vault);
    AmiFleetException key =
        ImageCopier.failure(
            ImageException.failed("ami-1", "image ami-1 is failed: Given key ID is not accessible"),
            TO_VAULT,
            vault);
    AmiFleetException throttled =
        ImageCopier.failure(
            new AmiFleetException(ErrorKind.RETRYABLE, "RequestLimitExceeded", "slow down"),
            TO_VAULT,
            vault);

    assertThat(failed.errorCode()).isEqualTo("CopyFailed");
    assertThat(failed.retryable()).isFalse();
    assertThat(failed.getMessage()).startsWith("copy to " + VAULT + "/eu-central-1: ");
    assertThat(key.errorCode()).isEqualTo("KmsAccessDenied");
    assertThat(throttled.errorCode()).isEqualTo("RequestLimitExceeded");
    assertThat(throttled.retryable()).isTrue();
  }
}
