package io.amifleet.emulator.realistic;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SSM Run Command as the layer sees it ({@link Rule#SSM_COMMANDS}). moto answers every invocation
 * {@code Success} the moment SendCommand returns; on an instance, a command is first Pending or
 * InProgress while the agent runs it, and a script that exits non-zero ends {@code Failed} with its
 * exit code as ResponseCode
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/monitor-commands.html,
 * "Understanding command statuses"). So GetCommandInvocation answers InProgress until {@code
 * commandRunTime} after the SendCommand, and then, for a command whose script has a line that is
 * exactly {@code exit N} with N not 0, Failed with ResponseCode N: the one piece of shell the layer
 * interprets, so that a test can make a hook fail by what it runs. Other SSM calls pass through.
 * Thread-safe.
 */
final class SsmRules {
  private static final Pattern COMMAND_ID = Pattern.compile("\"CommandId\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern EXIT = Pattern.compile("\"exit\\s+(\\d+)\"");
  private static final Pattern STATUS = Pattern.compile("\"Status\"\\s*:\\s*\"[A-Za-z]+\"");
  private static final Pattern DETAILS = Pattern.compile("\"StatusDetails\"\\s*:\\s*\"[A-Za-z]+\"");
  private static final Pattern CODE = Pattern.compile("\"ResponseCode\"\\s*:\\s*-?\\d+");
  private static final Pattern STDERR =
      Pattern.compile("\"StandardErrorContent\"\\s*:\\s*\"[^\"]*\"");

  private final Upstream moto;
  private final LongSupplier nanos;
  private final Map<String, Sent> sent = new ConcurrentHashMap<>();

  /** A command the layer saw sent: when, and the exit code its script ends with. */
  private record Sent(long atNanos, int exitCode) {}

  SsmRules(Upstream moto, LongSupplier nanos) {
    this.moto = moto;
    this.nanos = nanos;
  }

  CompletableFuture<Answer> handle(Call call, String operation, RealismSettings s) {
    if (!s.on(Rule.SSM_COMMANDS)) {
      return moto.forward(call);
    }
    if ("SendCommand".equals(operation)) {
      long at = nanos.getAsLong();
      int exit = exitCode(new String(call.body(), StandardCharsets.UTF_8));
      return moto.forward(call)
          .thenApply(
              a -> {
                Matcher m = COMMAND_ID.matcher(a.text());
                if (a.ok() && m.find()) {
                  sent.put(m.group(1), new Sent(at, exit));
                }
                return a;
              });
    }
    if ("GetCommandInvocation".equals(operation)) {
      Matcher m = COMMAND_ID.matcher(new String(call.body(), StandardCharsets.UTF_8));
      Sent command = m.find() ? sent.get(m.group(1)) : null;
      if (command == null) {
        return moto.forward(call);
      }
      return moto.forward(call).thenApply(a -> a.ok() ? rewrite(a, command, s) : a);
    }
    return moto.forward(call);
  }

  void clear() {
    sent.clear();
  }

  private Answer rewrite(Answer a, Sent command, RealismSettings s) {
    String json = a.text();
    if (nanos.getAsLong() - command.atNanos < s.commandRunTime().toNanos()) {
      return a.withText(set(json, "InProgress", -1, null));
    }
    if (command.exitCode != 0) {
      return a.withText(set(json, "Failed", command.exitCode, "script exited " + command.exitCode));
    }
    return a;
  }

  private static String set(String json, String status, int code, String stderr) {
    String out = STATUS.matcher(json).replaceFirst("\"Status\": \"" + status + "\"");
    out = DETAILS.matcher(out).replaceFirst("\"StatusDetails\": \"" + status + "\"");
    out = CODE.matcher(out).replaceFirst("\"ResponseCode\": " + code);
    if (stderr != null) {
      out =
          STDERR
              .matcher(out)
              .replaceFirst(
                  Matcher.quoteReplacement("\"StandardErrorContent\": \"" + stderr + "\""));
    }
    return out;
  }

  /** The N of a script line that is exactly {@code exit N}; 0 when there is none. */
  static int exitCode(String sendCommandBody) {
    Matcher m = EXIT.matcher(sendCommandBody);
    while (m.find()) {
      int code = Integer.parseInt(m.group(1));
      if (code != 0) {
        return Math.min(code, 255);
      }
    }
    return 0;
  }
}
