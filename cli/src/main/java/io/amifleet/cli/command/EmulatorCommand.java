package io.amifleet.cli.command;

import io.amifleet.cli.CliContext;
import io.amifleet.cli.Logging;
import io.amifleet.cli.options.DurationConverter;
import io.amifleet.common.config.ConfigException;
import io.amifleet.emulator.Emulator;
import io.amifleet.emulator.MotoLauncher;
import io.amifleet.emulator.RealisticEmulator;
import io.amifleet.emulator.realistic.RealismSettings;
import io.amifleet.emulator.realistic.RealisticEc2Proxy;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code amifleet emulator start}: moto behind the realistic EC2 layer, for trying amifleet, the
 * aws CLI or a script against an EC2 that throttles, takes its time and refuses what EC2 refuses,
 * without an AWS account.
 */
@Command(
    name = "emulator",
    mixinStandardHelpOptions = true,
    description =
        "A local AWS emulator (moto) behind a realistic EC2 layer, for amifleet or any AWS tool.",
    subcommands = {EmulatorCommand.Start.class})
public final class EmulatorCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "start",
      mixinStandardHelpOptions = true,
      description = {
        "Start moto and the realistic EC2 layer on loopback, print what to export, and run until"
            + " Ctrl-C or SIGTERM (moto is stopped on every exit path).",
        "Profiles: realistic (EC2's throttling, latency, pending images, eventual consistency,"
            + " validation; see README) or permissive (pass-through but for snapshot tags,"
            + " which moto lacks; calls counted)."
      })
  static final class Start implements Callable<Integer> {
    private final CliContext context;

    @Option(
        names = "--profile",
        paramLabel = "realistic|permissive",
        defaultValue = "realistic",
        description = "realistic or permissive (default: ${DEFAULT-VALUE}).")
    String profile;

    @Option(
        names = "--port",
        paramLabel = "N",
        defaultValue = "4566",
        description = "Loopback port of the layer; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
        names = "--time-scale",
        paramLabel = "X",
        defaultValue = "1",
        description =
            "Real seconds per EC2 second while images are pending: 0.02 turns EC2's 3-15 minutes"
                + " into 4-18 s (default: ${DEFAULT-VALUE}).")
    double timeScale;

    @Option(
        names = "--require-external-id",
        paramLabel = "ROLE=ID",
        description =
            "AssumeRole of ROLE (an ARN, or a role name in any account) demands ExternalId ID;"
                + " repeatable.")
    Map<String, String> externalIds = new LinkedHashMap<>();

    @Option(
        names = "--credential-lifetime",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "Every AssumeRole session expires after this long (default: as requested).")
    Duration credentialLifetime;

    @Option(
        names = "--moto-url",
        paramLabel = "URL",
        description = "Put the layer in front of a moto already running there.")
    URI motoUrl;

    Start(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() throws InterruptedException {
      RealismSettings.Builder b = RealismSettings.profile(profile).toBuilder();
      if (!(timeScale > 0)) {
        throw new ConfigException("--time-scale must be positive, got " + timeScale);
      }
      if (port < 0 || port > 65535) {
        throw new ConfigException("--port must be within 0-65535, got " + port);
      }
      b.timeScale(timeScale);
      externalIds.forEach(b::externalId);
      if (credentialLifetime != null) {
        b.credentialLifetime(credentialLifetime);
      }
      RealismSettings settings = b.build();
      Logging.quiet();
      PrintStream out = context.out();
      Map<String, String> env = new HashMap<>(System.getenv());
      if (motoUrl != null) {
        env.put(MotoLauncher.ENDPOINT_VARIABLE, motoUrl.toString());
      }
      Emulator moto = new MotoLauncher(env, Path.of("").toAbsolutePath()).start();
      RealisticEmulator emulator;
      try {
        emulator = RealisticEmulator.start(moto, settings, port);
      } catch (IllegalStateException e) {
        context.err().println("amifleet: " + e.getMessage() + " (choose another --port)");
        return 2;
      }
      CountDownLatch stop = new CountDownLatch(1);
      Thread hook = new Thread(emulator::close, "emulator-stop-hook");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        URI endpoint = emulator.endpoint();
        out.println("amifleet emulator: " + emulator.description() + ", at " + endpoint);
        out.println(
            "Point amifleet, the aws CLI or boto3 at it (test credentials, no AWS account):");
        out.println("  export AWS_ENDPOINT_URL=" + endpoint);
        out.println(
            "  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1");
        out.println(
            "Counters: curl "
                + endpoint.resolve(RealisticEc2Proxy.STATS_PATH)
                + "   reset: curl -X POST "
                + endpoint.resolve("/moto-api/reset"));
        out.println("Ctrl-C stops it and moto.");
        out.flush();
        Runnable forget = Signals.onQuit(emulator::close);
        try {
          Signals.onTermination(out::println, () -> "moto and the EC2 layer stop", stop::countDown);
          stop.await();
        } finally {
          forget.run();
        }
        out.println("amifleet emulator: stopping");
      } finally {
        emulator.close();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // the JVM is shutting down already: the hook runs (closing twice is harmless)
        }
      }
      return 0;
    }
  }
}
