package io.amifleet.worker.hook;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * One command on one instance, as GetCommandInvocation reports it.
 *
 * @param status SSM's invocation status: Pending, InProgress, Delayed, Success, Cancelled,
 *     TimedOut, Failed, Cancelling
 *     (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetCommandInvocation.html)
 * @param responseCode the script's exit code; -1 while it runs
 * @param output the end of the script's standard error, else of its output (for the result)
 * @param gaveUp amifleet stopped waiting at the hook's timeout: SSM had not said the command ended
 *     (status {@code TimedOut} is then amifleet's, and the command may still run or be delivered)
 */
public record Invocation(
    String commandId, String status, int responseCode, String output, boolean gaveUp) {
  /** The statuses after which nothing more happens on the instance. */
  static final Set<String> ENDED = Set.of("Success", "Failed", "TimedOut", "Cancelled");

  /** How much of a script's output a result carries. */
  static final int MAX_OUTPUT = 300;

  public Invocation {
    requireNonNull(commandId, "commandId is null");
    requireNonNull(status, "status is null");
    output = output == null ? "" : tail(output.strip());
  }

  /** What GetCommandInvocation said. */
  public Invocation(String commandId, String status, int responseCode, String output) {
    this(commandId, status, responseCode, output, false);
  }

  /** Not sent yet as far as GetCommandInvocation knows (InvocationDoesNotExist right after). */
  static Invocation pending(String commandId) {
    return new Invocation(commandId, "Pending", -1, "");
  }

  public boolean ended() {
    return ENDED.contains(status);
  }

  public boolean succeeded() {
    return "Success".equals(status);
  }

  /** For results and logs: {@code Failed (exit 3): fsfreeze: /data: Device or resource busy}. */
  public String describe() {
    String code = responseCode >= 0 ? " (exit " + responseCode + ")" : "";
    return status + code + (output.isEmpty() ? "" : ": " + output) + " [command " + commandId + "]";
  }

  private static String tail(String s) {
    return s.length() <= MAX_OUTPUT ? s : "..." + s.substring(s.length() - MAX_OUTPUT);
  }
}
