package io.amifleet.cli.options;

import picocli.CommandLine.Option;

/**
 * {@code -o/--output table|json}, the same on every command that prints results. What {@code json}
 * means per command (one document for a summary, one object per line for a stream) is in each
 * command's description and in the README's CLI reference.
 */
public final class OutputOption {
  @Option(
      names = {"-o", "--output"},
      paramLabel = "table|json",
      defaultValue = "table",
      description = "table (for people) or json (for programs) (default: ${DEFAULT-VALUE}).")
  OutputFormat format;

  public boolean json() {
    return format == OutputFormat.json;
  }
}
