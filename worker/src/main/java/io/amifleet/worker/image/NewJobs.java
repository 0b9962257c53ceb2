package io.amifleet.worker.image;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.message.JobMessage;
import java.util.Optional;

/**
 * Which deliveries are the very first attempt of their job anywhere: the first receive of a job of
 * a run whose ID this process made, over a queue only this process uses (single-machine mode's
 * embedded queue). No earlier attempt, replay or rerun can have made an image for such a job, so
 * asking EC2 for one (the look-up by job ID of {@link ImageMaker}, one DescribeImages per
 * account+region and batch) is skipped. Every other delivery looks up as usual: a retry in this
 * process (receive count 2 or more), any job on shared SQS queues (which may deliver a message
 * twice), any run whose ID was given (a rerun adopts the images already made). On EC2 a name taken
 * all the same ({@code InvalidAMIName.Duplicate}) still leads to the look-up by name.
 */
public final class NewJobs {
  /** No delivery is known to be a first attempt: every job looks up (the fleet's workers). */
  public static final NewJobs NONE = new NewJobs(Optional.empty());

  private final Optional<String> runId;

  private NewJobs(Optional<String> runId) {
    this.runId = runId;
  }

  /** The jobs of {@code runId}, an ID this process made and sends over a queue of its own. */
  public static NewJobs ofRun(String runId) {
    return new NewJobs(Optional.of(requireNonNull(runId, "runId is null")));
  }

  /** True when {@code job}, received for the {@code attempt}-th time, can have no image yet. */
  public boolean firstAttemptAnywhere(JobMessage job, int attempt) {
    return attempt == 1 && runId.isPresent() && runId.get().equals(job.runId());
  }
}
