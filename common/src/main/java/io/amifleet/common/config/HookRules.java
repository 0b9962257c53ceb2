package io.amifleet.common.config;

import io.amifleet.common.message.HookCommand;
import io.amifleet.common.message.Hooks;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules of {@code hooks} in targets.yaml: each of {@code pre} and {@code post} is a script
 * ({@code commands}) run by {@code AWS-RunShellScript} or {@code AWS-RunPowerShellScript}, or a
 * named SSM document with its {@code parameters}; {@code timeout} bounds the wait for it; {@code
 * onPreFailure} is {@code skip-image} (the default) or {@code image-anyway}.
 */
final class HookRules {
  /** The AWS documents that run {@code commands} as a script (their parameter is "commands"). */
  static final Set<String> SCRIPT_DOCUMENTS =
      Set.of("AWS-RunShellScript", "AWS-RunPowerShellScript");

  /** How long a hook may take when targets.yaml does not say. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

  private HookRules() {}

  /** The hooks {@code spec} says; null when it has problems, reported under {@code where}. */
  static Hooks of(TargetsFile.HooksSpec spec, String where, Problems problems) {
    int before = problems.count();
    if (spec.pre() == null) {
      problems.add(where + ".pre", "required: the command that runs before CreateImage");
    }
    HookCommand pre = spec.pre() == null ? null : command(spec.pre(), where + ".pre", problems);
    HookCommand post = spec.post() == null ? null : command(spec.post(), where + ".post", problems);
    Hooks.OnPreFailure onPreFailure =
        spec.onPreFailure() == null
            ? null
            : problems.check(
                where + ".onPreFailure", () -> Hooks.OnPreFailure.of(spec.onPreFailure()));
    if (problems.count() > before) {
      return null;
    }
    return new Hooks(pre, post, onPreFailure);
  }

  private static HookCommand command(TargetsFile.HookSpec spec, String where, Problems problems) {
    int before = problems.count();
    String document = spec.document();
    if (document == null) {
      problems.add(
          where + ".document", "required: AWS-RunShellScript, AWS-RunPowerShellScript or yours");
      return null;
    }
    Duration timeout =
        spec.timeout() == null
            ? DEFAULT_TIMEOUT
            : problems.check(where + ".timeout", () -> Durations.parse(spec.timeout()));
    if (timeout != null
        && (timeout.toSeconds() < 1 || timeout.toSeconds() > HookCommand.MAX_TIMEOUT_SECONDS)) {
      problems.add(
          where + ".timeout", "must be 1s to " + HookCommand.MAX_TIMEOUT_SECONDS / 60 + "m");
    }
    Map<String, List<String>> parameters = new LinkedHashMap<>();
    if (spec.parameters() != null) {
      parameters.putAll(spec.parameters());
    }
    boolean script = SCRIPT_DOCUMENTS.contains(document);
    List<String> commands = spec.commands() == null ? List.of() : spec.commands();
    if (script && commands.isEmpty() && !parameters.containsKey("commands")) {
      problems.add(where + ".commands", "required for " + document + ": the script's lines");
    }
    if (!script && !commands.isEmpty()) {
      problems.add(
          where + ".commands",
          "only for AWS-RunShellScript and AWS-RunPowerShellScript; give the parameters of "
              + document
              + " instead");
    }
    if (!commands.isEmpty() && parameters.containsKey("commands")) {
      problems.add(where, "give commands or parameters.commands, not both");
    }
    if (problems.count() > before) {
      return null;
    }
    if (!commands.isEmpty()) {
      parameters.put("commands", commands);
    }
    if (script) {
      // The script is stopped on the instance when amifleet stops waiting for it.
      parameters.putIfAbsent("executionTimeout", List.of(Long.toString(timeout.toSeconds())));
    }
    return problems.check(
        where, () -> new HookCommand(document, parameters, (int) timeout.toSeconds()));
  }
}
