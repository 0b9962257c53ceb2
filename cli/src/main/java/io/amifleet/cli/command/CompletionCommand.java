package io.amifleet.cli.command;

import io.amifleet.cli.CliContext;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code amifleet completion}: prints a bash (and zsh, through bashcompinit) completion script made
 * by picocli's AutoComplete from the command model itself, so it knows every command and flag.
 * Hidden: it is for installing once, e.g. {@code source <(amifleet completion)}.
 */
@Command(
    name = "completion",
    hidden = true,
    mixinStandardHelpOptions = true,
    description = {
      "Print a bash/zsh completion script for amifleet.",
      "Use: source <(amifleet completion), or save it in /etc/bash_completion.d/amifleet."
    })
public final class CompletionCommand implements Runnable {
  private final CliContext context;

  @Spec CommandSpec spec;

  CompletionCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    context.out().print(AutoComplete.bash("amifleet", spec.root().commandLine()));
    context.out().flush();
  }
}
