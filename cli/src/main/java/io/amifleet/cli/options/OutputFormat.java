package io.amifleet.cli.options;

/** How a command prints what it did. */
public enum OutputFormat {
  table,
  json
}
