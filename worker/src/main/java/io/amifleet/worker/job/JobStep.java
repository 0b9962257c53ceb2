package io.amifleet.worker.job;

import java.util.concurrent.CompletableFuture;

/**
 * One step of a job's pipeline (resolve the role, ensure the image, await it, ...). A step reads
 * what earlier steps learnt from the {@link JobContext}, does its part without holding a thread
 * while it waits, and records what it learnt there: in the job's result, and as facts for the steps
 * after it. It fails by completing exceptionally (an {@link io.amifleet.common.error
 * .AmiFleetException} where it knows the kind; anything else is translated); the failure policy
 * decides what then becomes of the job. Implementations are thread-safe singletons.
 */
public interface JobStep {
  /** A short name for logs and docs: "ensure image". */
  String name();

  CompletableFuture<Void> run(JobContext job);
}
