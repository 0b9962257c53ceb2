package io.amifleet.common.message;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Locale;

/**
 * The SSM hooks around a job's CreateImage: {@code pre} runs before it (freeze, flush), {@code
 * post} after it returned (thaw, resume), on every way out once {@code pre} was sent. What a failed
 * {@code pre} does is {@code onPreFailure}.
 *
 * @param post may be absent (a flush that needs no undo); a freeze needs it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Hooks(HookCommand pre, HookCommand post, OnPreFailure onPreFailure) {
  /** What a job does when its {@code pre} hook fails or times out. */
  public enum OnPreFailure {
    /** No image: the job fails (FAILED, HookFailed); {@code post} still runs. */
    SKIP_IMAGE,
    /** The image is made anyway and marked {@code consistency: crash}. */
    IMAGE_ANYWAY;

    /** The name written in targets.yaml and messages: {@code skip-image}. */
    @com.fasterxml.jackson.annotation.JsonValue
    public String written() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    public static OnPreFailure of(String written) {
      for (OnPreFailure v : values()) {
        if (v.written().equals(written)) {
          return v;
        }
      }
      throw new IllegalArgumentException(
          "onPreFailure '" + written + "' is not skip-image or image-anyway");
    }
  }

  public Hooks {
    requireNonNull(pre, "pre is null");
    onPreFailure = onPreFailure == null ? OnPreFailure.SKIP_IMAGE : onPreFailure;
  }
}
