package io.amifleet.worker.image;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * Where a job waits for its image to become available: the port the "await available" step talks
 * to. {@link ImageWaiter} implements it by polling (one DescribeImages per account+region per
 * interval for all waiting images), and completes a wait sooner when an {@link ImageEvents} source
 * says the image changed. Waiting holds no thread.
 */
public interface ImageAvailability {
  /**
   * Completes with the image once it is available; fails with {@link ImageException#failed} when it
   * fails (or is gone), {@link ImageException#timedOut} when still not available at {@code
   * deadline}. Cancelling the returned future abandons the wait.
   */
  CompletableFuture<ImageInfo> await(Ec2Target target, String imageId, Instant deadline);
}
