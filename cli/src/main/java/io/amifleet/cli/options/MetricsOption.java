package io.amifleet.cli.options;

import picocli.CommandLine.Option;

/** {@code --metrics none|emf}: CloudWatch Embedded Metric Format lines on stdout, or nothing. */
public final class MetricsOption {
  /** Where metrics go. */
  public enum Sink {
    none,
    emf
  }

  @Option(
      names = "--metrics",
      paramLabel = "none|emf",
      defaultValue = "${env:AMIFLEET_METRICS:-none}",
      description =
          "emf: write CloudWatch Embedded Metric Format lines to stdout (env AMIFLEET_METRICS;"
              + " default: none).")
  Sink sink;

  public boolean emf() {
    return sink == Sink.emf;
  }
}
