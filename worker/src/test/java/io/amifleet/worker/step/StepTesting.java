package io.amifleet.worker.step;

import io.amifleet.common.json.Json;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.common.message.WorkItem;
import io.amifleet.worker.job.JobContext;
import io.amifleet.worker.testing.TestJobs;
import java.time.Instant;

/** A job's context as a step sees it at the start of its pipeline. */
final class StepTesting {
  static final Instant STARTED = Instant.parse("2026-11-28T02:00:00Z");

  private StepTesting() {}

  static JobContext context(WorkItem work) {
    return context(work, 1);
  }

  /** The context of the {@code receiveCount}-th delivery of {@code work}. */
  static JobContext context(WorkItem work, int receiveCount) {
    MessageCodec codec = new MessageCodec(Json.newMapper());
    return new JobContext(TestJobs.received(codec.encode(work), receiveCount), work, STARTED);
  }
}
