package io.amifleet.common.message;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Tag names amifleet owns, and the checks EC2 applies to tags. */
public final class Tags {
  public static final String PREFIX = "amifleet:";
  public static final String JOB_ID = "amifleet:job-id";
  public static final String RUN_ID = "amifleet:run-id";
  public static final String SOURCE_INSTANCE = "amifleet:source-instance";
  public static final String MANAGED = "amifleet:managed";

  private Tags() {}

  /**
   * Checks a user-supplied tag map against EC2's limits and amifleet's reserved prefix; returns an
   * unmodifiable copy in insertion order.
   */
  public static Map<String, String> validated(Map<String, String> tags, String field) {
    if (tags.size() > Identifiers.MAX_TAGS - 4) {
      throw new IllegalArgumentException(
          field + ": at most " + (Identifiers.MAX_TAGS - 4) + " tags (EC2 allows 50 per image)");
    }
    Map<String, String> copy = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : tags.entrySet()) {
      String key = e.getKey();
      String value = e.getValue();
      if (key == null || key.isEmpty() || key.length() > Identifiers.MAX_TAG_KEY) {
        throw new IllegalArgumentException(field + ": tag key must be 1-128 characters");
      }
      if (key.startsWith("aws:") || key.startsWith(PREFIX)) {
        throw new IllegalArgumentException(
            field + ": tag key '" + key + "' uses a reserved prefix (aws: or amifleet:)");
      }
      if (value == null || value.length() > Identifiers.MAX_TAG_VALUE) {
        throw new IllegalArgumentException(
            field + ": value of tag '" + key + "' must be 0-256 characters");
      }
      copy.put(key, value);
    }
    return Collections.unmodifiableMap(copy);
  }
}
