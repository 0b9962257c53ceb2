package io.amifleet.cli;

import io.amifleet.cli.command.CollectCommand;
import io.amifleet.cli.command.CompletionCommand;
import io.amifleet.cli.command.DemoCommand;
import io.amifleet.cli.command.DispatchCommand;
import io.amifleet.cli.command.DlqCommand;
import io.amifleet.cli.command.EmulatorCommand;
import io.amifleet.cli.command.PreflightCommand;
import io.amifleet.cli.command.PruneCommand;
import io.amifleet.cli.command.QueuesCommand;
import io.amifleet.cli.command.ResultsCommand;
import io.amifleet.cli.command.RunCommand;
import io.amifleet.cli.command.RunsCommand;
import io.amifleet.cli.command.WorkerCommand;
import io.amifleet.common.config.ConfigException;
import io.amifleet.common.error.AmiFleetException;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code amifleet} command. The only {@code main} of the project. */
@Command(
    name = "amifleet",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Create AMIs of EC2 instances across many AWS accounts and regions.",
    subcommands = {
      QueuesCommand.class,
      DispatchCommand.class,
      WorkerCommand.class,
      ResultsCommand.class,
      CollectCommand.class,
      RunsCommand.class,
      RunCommand.class,
      DlqCommand.class,
      PruneCommand.class,
      PreflightCommand.class,
      DemoCommand.class,
      CompletionCommand.class,
      EmulatorCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Exit codes: 0 all good; 1 some jobs or accounts failed; 2 bad usage or configuration"
          + " (nothing was sent).",
      "Docs: README.md"
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    CliContext context = CliContext.system();
    try {
      Logging.configure(context.environment());
    } catch (ConfigException e) {
      context.err().println("amifleet: " + e.getMessage());
      System.exit(2);
    }
    System.exit(run(context, args));
  }

  /** Runs amifleet with {@code args}; returns the exit code. */
  public static int run(CliContext context, String... args) {
    return commandLine(context).execute(args);
  }

  /**
   * The command model with its output streams and error handling: what {@link #run} executes, and
   * what the tests walk to check the README's CLI reference and the docs' command lines.
   */
  public static CommandLine commandLine(CliContext context) {
    CommandLine cli = new CommandLine(new Main(), new Factory(context));
    cli.setOut(new PrintWriter(context.out(), true));
    cli.setErr(new PrintWriter(context.err(), true));
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          // Only configuration errors mean "nothing was sent": a command checks its flags and
          // files before it sends anything, and says what is wrong with a ConfigException.
          if (e instanceof ConfigException) {
            context.err().println("amifleet: " + e.getMessage());
            return 2;
          }
          if (e instanceof AmiFleetException a) {
            context.err().println("amifleet: " + a.getMessage());
            return 1;
          }
          context.err().println("amifleet: unexpected error: " + e);
          e.printStackTrace(context.err());
          return 1;
        });
    return cli;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Gives commands that want it the {@link CliContext}. */
  private record Factory(CliContext context) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> type) throws Exception {
      for (Constructor<?> c : type.getDeclaredConstructors()) {
        if (c.getParameterCount() == 1 && c.getParameterTypes()[0] == CliContext.class) {
          c.setAccessible(true);
          return type.cast(c.newInstance(context));
        }
      }
      return CommandLine.defaultFactory().create(type);
    }
  }

  /** The version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"amifleet " + (v == null ? "(development build)" : v)};
    }
  }
}
