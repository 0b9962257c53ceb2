package io.amifleet.cli;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.aws.AwsSettings;
import io.amifleet.common.config.Environment;
import io.amifleet.common.inject.Bootstrap;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.worker.outcome.WorkerEvents;
import java.io.PrintStream;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What a command gets from the process that runs it: environment, output streams, whether they are
 * a terminal (live progress) or not (a plain line every few seconds), and, for tests and the
 * benchmark that run amifleet in-process, a way to adjust AWS settings (fault-injecting
 * interceptors, fixed credentials) and to observe workers.
 */
public record CliContext(
    Environment environment,
    PrintStream out,
    PrintStream err,
    boolean terminal,
    UnaryOperator<AwsSettings> awsOverrides,
    List<WorkerEvents> listeners) {

  public CliContext {
    requireNonNull(environment, "environment is null");
    requireNonNull(out, "out is null");
    requireNonNull(err, "err is null");
    requireNonNull(awsOverrides, "awsOverrides is null");
    listeners = List.copyOf(listeners);
  }

  public static CliContext system() {
    return new CliContext(
        Environment.system(), System.out, System.err, System.console() != null, s -> s, List.of());
  }

  public AwsSettings aws(AwsSettings fromFlags) {
    return awsOverrides.apply(fromFlags);
  }

  /**
   * The bootstrap of a command that acts in AWS with the AWS settings of its flags (adjusted by
   * {@link #awsOverrides}): the hub's credentials are checked before anything else.
   */
  public Bootstrap bootstrap(Closer closer, AwsSettings fromFlags) {
    return Bootstrap.of(environment, closer).aws(aws(fromFlags)).verifyHubCredentials();
  }
}
