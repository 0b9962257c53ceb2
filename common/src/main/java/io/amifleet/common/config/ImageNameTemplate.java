package io.amifleet.common.config;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code imageName} template of targets.yaml, e.g. {@code
 * "{instanceName}-{date}-{shortJobId}"}.
 *
 * <p>Placeholders: {@code instanceName} (the instance's Name tag, else its ID), {@code instanceId},
 * {@code accountId}, {@code accountName} (the account's name, else its ID), {@code region}, {@code
 * date} (yyyy-MM-dd, UTC, when the job was dispatched), {@code time} (HHmmss, UTC), {@code runId},
 * {@code jobId}, {@code shortJobId} (first 8 characters of the job ID).
 *
 * <p>Rendered names are made valid for EC2: characters outside the allowed set become {@code -},
 * the instance name is cut to 64 characters and the whole to 128.
 */
public record ImageNameTemplate(String template) {
  public static final String DEFAULT = "{instanceName}-{date}-{shortJobId}";
  public static final Set<String> PLACEHOLDERS =
      Set.of(
          "instanceName",
          "instanceId",
          "accountId",
          "accountName",
          "region",
          "date",
          "time",
          "runId",
          "jobId",
          "shortJobId");

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");
  private static final Pattern NOT_ALLOWED = Pattern.compile("[^A-Za-z0-9()\\[\\] ./'@_-]");
  private static final int MAX_LENGTH = 128;
  private static final int MAX_INSTANCE_NAME = 64;

  public ImageNameTemplate {
    requireNonNull(template, "template is null");
    List<String> unknown = unknownPlaceholders(template);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown placeholder(s) "
              + unknown
              + " in '"
              + template
              + "'; known: "
              + PLACEHOLDERS.stream().sorted().toList());
    }
    if (template.isBlank()) {
      throw new IllegalArgumentException("imageName template is empty");
    }
  }

  /**
   * True when no two jobs can be given the same name: the template has {@code {jobId}} or {@code
   * {shortJobId}}, or both {@code {instanceId}} and {@code {runId}} (an instance has one job per
   * run). EC2 refuses a second image with a name already used in the account and region
   * (InvalidAMIName.Duplicate), so a template without one fails every job after the first.
   */
  public boolean isUniquePerJob() {
    return template.contains("{jobId}")
        || template.contains("{shortJobId}")
        || (template.contains("{instanceId}") && template.contains("{runId}"));
  }

  /**
   * {@code text} as it appears in a rendered name: characters EC2 does not allow in image names
   * become {@code -}.
   */
  public static String clean(String text) {
    return NOT_ALLOWED.matcher(text).replaceAll("-");
  }

  public String render(Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String key = m.group(1);
      String value = requireNonNull(values.get(key), () -> "no value for {" + key + "}");
      if (key.equals("instanceName") && value.length() > MAX_INSTANCE_NAME) {
        value = value.substring(0, MAX_INSTANCE_NAME);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    String name = clean(out.toString()).strip();
    if (name.length() > MAX_LENGTH) {
      name = name.substring(0, MAX_LENGTH).strip();
    }
    if (name.length() < 3) {
      name = name + "-" + values.getOrDefault("shortJobId", "ami");
    }
    return name;
  }

  private static List<String> unknownPlaceholders(String template) {
    List<String> unknown = new ArrayList<>();
    Matcher m = PLACEHOLDER.matcher(template);
    while (m.find()) {
      if (!PLACEHOLDERS.contains(m.group(1))) {
        unknown.add("{" + m.group(1) + "}");
      }
    }
    return unknown;
  }
}
