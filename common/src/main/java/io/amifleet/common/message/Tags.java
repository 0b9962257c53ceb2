package io.amifleet.common.message;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Tag names amifleet owns, and the checks EC2 applies to tags. */
public final class Tags {
  public static final String PREFIX = "amifleet:";
  public static final String JOB_ID = "amifleet:job-id";
  public static final String RUN_ID = "amifleet:run-id";
  public static final String SOURCE_INSTANCE = "amifleet:source-instance";
  public static final String MANAGED = "amifleet:managed";

  /** How consistent the image is: application, reboot or crash ({@link Consistency}). */
  public static final String CONSISTENCY = "amifleet:consistency";

  /**
   * How many tags amifleet puts on every image of its own (job, run, source, managed, consistency).
   */
  public static final int OWN_TAGS = 5;

  /** On a disaster-recovery copy: the image it is a copy of, and where that image is. */
  public static final String COPY_OF = "amifleet:copy-of";

  public static final String SOURCE_ACCOUNT = "amifleet:source-account";
  public static final String SOURCE_REGION = "amifleet:source-region";

  private Tags() {}

  /**
   * True for keys under {@code aws:} in any case, which AWS reserves for keys and values alike
   * ("aws:, AWS:, or any upper or lowercase combination", see tag restrictions in
   * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html), or under amifleet's own
   * {@code amifleet:} (any case), whose tags make adoption and retention work and must not be set
   * or copied by hand.
   */
  public static boolean isReserved(String key) {
    return isAwsReserved(key) || key.toLowerCase(Locale.ROOT).startsWith(PREFIX);
  }

  /** True for keys under {@code aws:} in any case (see {@link #isReserved}). */
  public static boolean isAwsReserved(String key) {
    return key.toLowerCase(Locale.ROOT).startsWith("aws:");
  }

  /**
   * Checks a user-supplied tag map against EC2's limits and amifleet's reserved prefix; returns an
   * unmodifiable copy in insertion order.
   */
  public static Map<String, String> validated(Map<String, String> tags, String field) {
    if (tags.size() > Identifiers.MAX_TAGS - OWN_TAGS) {
      throw new IllegalArgumentException(
          field
              + ": at most "
              + (Identifiers.MAX_TAGS - OWN_TAGS)
              + " tags (EC2 allows 50 per image)");
    }
    Map<String, String> copy = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : tags.entrySet()) {
      String key = e.getKey();
      String value = e.getValue();
      if (key == null || key.isEmpty() || key.length() > Identifiers.MAX_TAG_KEY) {
        throw new IllegalArgumentException(field + ": tag key must be 1-128 characters");
      }
      if (isReserved(key)) {
        throw new IllegalArgumentException(
            field
                + ": tag key '"
                + key
                + "' uses a reserved prefix (aws: or amifleet:, in any case)");
      }
      if (value == null || value.length() > Identifiers.MAX_TAG_VALUE) {
        throw new IllegalArgumentException(
            field + ": value of tag '" + key + "' must be 0-256 characters");
      }
      if (isAwsReserved(value)) {
        throw new IllegalArgumentException(
            field + ": value of tag '" + key + "' starts with aws: (reserved by AWS, in any case)");
      }
      copy.put(key, value);
    }
    return Collections.unmodifiableMap(copy);
  }
}
