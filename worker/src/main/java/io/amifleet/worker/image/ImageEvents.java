package io.amifleet.worker.image;

import io.amifleet.common.aws.AccountRegion;

/**
 * Where news of an image's state arrives from outside the poll: e.g. EventBridge's "EC2 AMI State
 * Change" events, read from an SQS queue by a message source of the worker. A wait on the image is
 * then checked at once instead of at the next poll interval. Implemented by {@link ImageWaiter};
 * thread-safe.
 */
public interface ImageEvents {
  /**
   * {@code imageId} in {@code where} changed state: images waited on there are checked now (one
   * DescribeImages for all of them, which also gives the snapshots the result reports). An image
   * nobody waits on is ignored.
   */
  void changed(AccountRegion where, String imageId);
}
