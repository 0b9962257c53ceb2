package io.amifleet.worker.image;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The descriptions that tie an image or snapshot to the job that made it: the one amifleet gives
 * its images ({@code amifleet job J of run R}), written by CreateImage and read by retention's
 * ownership check, and the one EC2 writes on the snapshots CreateImage makes ({@code Created by
 * CreateImage(i-...) for ami-...}). Stateless.
 */
public final class ImageDescription {
  private static final Pattern AMIFLEET = Pattern.compile("amifleet job (\\S+) of run (\\S+)");

  /**
   * What EC2 (and moto) write on the snapshots CreateImage makes
   * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/creating-an-ami-ebs.html).
   */
  private static final Pattern CREATED_BY_CREATE_IMAGE =
      Pattern.compile("Created by CreateImage\\((i-[0-9a-z]+)\\) for (ami-[0-9a-z-]+)( .*)?");

  /** The image of a job and run, by the description amifleet wrote. */
  public record Job(String jobId, String runId) {}

  /** The instance and image a snapshot was made of, by the description EC2 wrote. */
  public record CreatedBy(String instanceId, String imageId) {}

  private ImageDescription() {}

  /** The description amifleet gives the image of {@code jobId} in {@code runId}. */
  public static String of(String jobId, String runId) {
    return "amifleet job " + jobId + " of run " + runId;
  }

  /** The job and run an image description written by amifleet names; empty for any other. */
  public static Optional<Job> job(String description) {
    if (description == null) {
      return Optional.empty();
    }
    Matcher m = AMIFLEET.matcher(description);
    return m.matches() ? Optional.of(new Job(m.group(1), m.group(2))) : Optional.empty();
  }

  /** The instance and image a snapshot description written by CreateImage names. */
  public static Optional<CreatedBy> createdBy(String snapshotDescription) {
    if (snapshotDescription == null) {
      return Optional.empty();
    }
    Matcher m = CREATED_BY_CREATE_IMAGE.matcher(snapshotDescription);
    return m.matches() ? Optional.of(new CreatedBy(m.group(1), m.group(2))) : Optional.empty();
  }
}
