package io.amifleet.worker.testing;

import io.amifleet.common.message.JobIds;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.common.message.PruneMessage;
import io.amifleet.worker.poll.ReceivedJob;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Valid jobs and received messages for unit tests. */
public final class TestJobs {
  public static final String RUN_ID = "20261128T012219Z-3fa9";
  public static final String ACCOUNT_ID = "111111111111";
  public static final String REGION = "us-east-1";
  public static final String ROLE_ARN = "arn:aws:iam::111111111111:role/AmiFleetCreator";
  public static final String INSTANCE_ID = "i-0123456789abcdef0";
  public static final Instant CREATED_AT = Instant.parse("2026-11-28T01:22:19Z");

  private TestJobs() {}

  public static JobMessage job() {
    return builder().build();
  }

  /** The retention job of the test account and region, keeping {@code keepLast} images. */
  public static PruneMessage prune(int keepLast) {
    return new PruneMessage(
        1,
        PruneMessage.KIND,
        JobIds.pruneJobId(RUN_ID, ACCOUNT_ID, REGION),
        RUN_ID,
        ACCOUNT_ID,
        REGION,
        ROLE_ARN,
        null,
        keepLast,
        null,
        CREATED_AT,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A delivery of {@code job}, its {@code receiveCount}th. */
  public static ReceivedJob received(MessageCodec codec, JobMessage job, int receiveCount) {
    return received(codec.encode(job), receiveCount);
  }

  /** A delivery of any body, its {@code receiveCount}th. */
  public static ReceivedJob received(String body, int receiveCount) {
    return new ReceivedJob(
        "msg-" + Integer.toHexString(body.hashCode()),
        "receipt-" + Integer.toHexString(body.hashCode()) + "-" + receiveCount,
        body,
        receiveCount,
        CREATED_AT.plusSeconds(60));
  }

  /** Builds a version-1 job; the job ID follows from run, account, region and instance. */
  public static final class Builder {
    private String runId = RUN_ID;
    private String accountId = ACCOUNT_ID;
    private String region = REGION;
    private String roleArn = ROLE_ARN;
    private String externalId = "ext-secret-1";
    private String instanceId = INSTANCE_ID;
    private String imageName;
    private boolean reboot;
    private Map<String, String> tags = new LinkedHashMap<>(Map.of("Purpose", "nightly-image"));
    private boolean copyInstanceTags;

    private Builder() {}

    public Builder account(String accountId) {
      this.accountId = accountId;
      this.roleArn = "arn:aws:iam::" + accountId + ":role/AmiFleetCreator";
      return this;
    }

    public Builder region(String region) {
      this.region = region;
      return this;
    }

    public Builder instanceId(String instanceId) {
      this.instanceId = instanceId;
      return this;
    }

    public Builder imageName(String imageName) {
      this.imageName = imageName;
      return this;
    }

    public Builder reboot(boolean reboot) {
      this.reboot = reboot;
      return this;
    }

    public Builder tags(Map<String, String> tags) {
      this.tags = new LinkedHashMap<>(tags);
      return this;
    }

    public Builder copyInstanceTags(boolean copyInstanceTags) {
      this.copyInstanceTags = copyInstanceTags;
      return this;
    }

    public JobMessage build() {
      String jobId = JobIds.jobId(runId, accountId, region, instanceId);
      String name = imageName != null ? imageName : "web-1-2026-11-28-" + JobIds.shortJobId(jobId);
      return JobMessage.of(
          jobId,
          runId,
          accountId,
          region,
          roleArn,
          externalId,
          instanceId,
          name,
          reboot,
          tags,
          copyInstanceTags,
          CREATED_AT);
    }
  }
}
