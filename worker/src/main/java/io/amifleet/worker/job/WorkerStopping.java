package io.amifleet.worker.job;

/** Ends the wait of a job held by a worker that is stopping; the job is released, not failed. */
public final class WorkerStopping extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public WorkerStopping() {
    super("worker stopping", null, false, false);
  }
}
