package io.amifleet.dispatcher.resolve;

import io.amifleet.common.config.AccountTarget;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Lists the instances of one account in one region that its selector names. Implementations
 * complete exceptionally with an {@link io.amifleet.common.error.AmiFleetException} when the
 * account cannot be reached.
 */
public interface InstanceFinder {
  /**
   * Instances matching {@code account.select()} in {@code region}: those with the selector's tags
   * and states, plus the explicitly listed IDs found there whatever their state (the resolver
   * reports those in other states).
   */
  CompletableFuture<List<FoundInstance>> find(AccountTarget account, String region);
}
