package io.amifleet.common.message;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What became of one copy of a job's image, in its result.
 *
 * @param imageId the copy; null when none was made (the job failed before)
 * @param state the copy's image state: {@code available}, {@code pending} (the job ended while it
 *     was), {@code failed}; {@code not-made} when the job ended before the copy was asked for
 * @param adopted true when an earlier attempt or run made the copy
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CopyResult(
    String accountId, String region, String imageId, String state, Boolean adopted) {
  public CopyResult {
    requireNonNull(accountId, "accountId is null");
    requireNonNull(region, "region is null");
    requireNonNull(state, "state is null");
  }
}
