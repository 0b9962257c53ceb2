package io.amifleet.common.message;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;

/** Deterministic job IDs and readable run IDs. */
public final class JobIds {
  private static final DateTimeFormatter RUN_ID_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final SecureRandom RANDOM = new SecureRandom();

  private JobIds() {}

  /**
   * The job ID: the first 128 bits of SHA-256 over run, account, region and instance, in hex. The
   * same inputs always give the same ID, which is what lets a redelivered or re-dispatched job find
   * the image it already made.
   */
  public static String jobId(String runId, String accountId, String region, String instanceId) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      String input = runId + "\n" + accountId + "\n" + region + "\n" + instanceId;
      byte[] digest = sha.digest(input.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  /** The job ID of the retention job of one account+region in a run. */
  public static String pruneJobId(String runId, String accountId, String region) {
    return jobId(runId, accountId, region, PruneMessage.KIND);
  }

  /** The job ID of the retention of copies in one account+region (a DR region or a vault). */
  public static String copyPruneJobId(String runId, String accountId, String region) {
    return jobId(runId, accountId, region, PruneMessage.KIND + "-copies");
  }

  /**
   * CopyImage's ClientToken for the copy of a job's image into {@code accountId}/{@code region}:
   * the same for every attempt of the job, so that EC2 makes the copy once
   * (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-idempotency.html; at most 64
   * characters, this is 32).
   */
  public static String copyToken(String jobId, String accountId, String region) {
    return jobId(jobId, accountId, region, "copy");
  }

  /**
   * Throws when {@code jobId} is not the ID {@code expected} for the job's own fields: a message
   * carrying another job's ID would otherwise adopt that job's image and report it as its own.
   */
  static void requireMatching(String jobId, String expected, String fields) {
    if (!expected.equals(jobId)) {
      throw new IllegalArgumentException(
          "jobId '"
              + jobId
              + "' does not belong to this job's "
              + fields
              + " (their job ID is "
              + expected
              + ")");
    }
  }

  public static String shortJobId(String jobId) {
    return jobId.substring(0, Math.min(8, jobId.length()));
  }

  /**
   * A readable, unique, time-based run ID such as {@code 20261128T012219Z-3fa9c1}: 24 random bits
   * after the second, so that two dispatches in the same second do not share job IDs.
   */
  public static String newRunId(Clock clock) {
    return RUN_ID_TIME.format(clock.instant())
        + "-"
        + String.format(Locale.ROOT, "%06x", RANDOM.nextInt(0x1000000));
  }
}
