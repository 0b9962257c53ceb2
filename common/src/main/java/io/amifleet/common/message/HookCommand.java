package io.amifleet.common.message;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One SSM Run Command of a hook: the document, its parameters (for {@code AWS-RunShellScript} and
 * {@code AWS-RunPowerShellScript}, {@code commands} is the script), and how long amifleet waits for
 * it to end on the instance.
 *
 * @param parameters the document's parameters, {@code commands} included when the hook gave them
 * @param timeoutSeconds how long the invocation may take, from SendCommand to its end
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record HookCommand(
    String document, Map<String, List<String>> parameters, Integer timeoutSeconds) {
  /**
   * SSM's pattern for a document name, {@code ^[a-zA-Z0-9_\-.:/]{3,128}$} (SendCommand,
   * DocumentName:
   * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_SendCommand.html).
   */
  public static final Pattern DOCUMENT_NAME = Pattern.compile("[a-zA-Z0-9_\\-.:/]{3,128}");

  /**
   * The longest wait for one invocation: SendCommand's TimeoutSeconds allows up to 2,592,000 s (30
   * days), but a job waiting longer than two hours for a script around its image is broken.
   */
  public static final int MAX_TIMEOUT_SECONDS = 7200;

  public HookCommand {
    requireNonNull(document, "document is null");
    if (!DOCUMENT_NAME.matcher(document).matches()) {
      throw new IllegalArgumentException(
          "document '" + document + "' is not an SSM document name (3-128 of a-zA-Z0-9_-.:/)");
    }
    parameters = parameters == null ? Map.of() : copy(parameters);
    requireNonNull(timeoutSeconds, "timeoutSeconds is null");
    if (timeoutSeconds < 1 || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
      throw new IllegalArgumentException(
          "timeout must be 1 s to " + MAX_TIMEOUT_SECONDS + " s, not " + timeoutSeconds + " s");
    }
  }

  /** A script run by {@code document} (AWS-RunShellScript or AWS-RunPowerShellScript). */
  public static HookCommand script(String document, List<String> commands, int timeoutSeconds) {
    return new HookCommand(document, Map.of("commands", List.copyOf(commands)), timeoutSeconds);
  }

  private static Map<String, List<String>> copy(Map<String, List<String>> parameters) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    parameters.forEach(
        (k, v) -> out.put(requireNonNull(k, "parameter name is null"), List.copyOf(v)));
    return java.util.Collections.unmodifiableMap(out);
  }
}
