package io.amifleet.cli.testing;

import io.amifleet.cli.CliContext;
import io.amifleet.cli.Main;
import io.amifleet.common.config.Environment;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.Emulator;
import io.amifleet.worker.outcome.WorkerEvents;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Runs the amifleet command in this JVM against the test emulator (fixed hub credentials, region
 * us-east-1), capturing what it prints.
 */
public final class Cli {
  public static final String REGION = "us-east-1";

  private final Emulator emulator;
  private final Map<String, String> env;
  private final List<ExecutionInterceptor> interceptors = new ArrayList<>();
  private final List<WorkerEvents> listeners = new ArrayList<>();

  public Cli(Emulator emulator, Map<String, String> env) {
    this.emulator = emulator;
    this.env = Map.copyOf(env);
  }

  public Cli intercept(ExecutionInterceptor interceptor) {
    interceptors.add(interceptor);
    return this;
  }

  public Cli listen(WorkerEvents events) {
    listeners.add(events);
    return this;
  }

  /** What a command did. */
  public record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  public Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<ExecutionInterceptor> extra = List.copyOf(interceptors);
    CliContext context =
        new CliContext(
            Environment.of(env),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            false,
            s ->
                s.withRegion(REGION)
                    .withEndpoint(emulator.endpoint())
                    .withHubCredentials(EmulatedAws.hubCredentials())
                    .withInterceptors(extra),
            listeners);
    int code = Main.run(context, args);
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
