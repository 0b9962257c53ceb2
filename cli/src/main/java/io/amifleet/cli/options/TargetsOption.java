package io.amifleet.cli.options;

import io.amifleet.cli.CliContext;
import io.amifleet.common.aws.AwsSettings;
import io.amifleet.common.config.ConfigException;
import io.amifleet.common.config.Targets;
import io.amifleet.common.config.TargetsLoader;
import io.amifleet.common.config.TargetsSource;
import io.amifleet.common.lifecycle.Closer;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --targets}: a local file or {@code s3://bucket/key}, env AMIFLEET_TARGETS. */
public final class TargetsOption {
  @Option(
      names = "--targets",
      paramLabel = "FILE|s3://BUCKET/KEY",
      defaultValue = "${env:AMIFLEET_TARGETS}",
      description = "The targets file, local or in S3 (env AMIFLEET_TARGETS).")
  String targets;

  /** Loads and checks the targets; every problem is a configuration error (exit 2). */
  public Targets load(CliContext context, AwsSettings aws) {
    if (targets == null || targets.isBlank()) {
      throw new ConfigException(
          "--targets is required: a targets.yaml file or s3://bucket/key (env AMIFLEET_TARGETS)");
    }
    if (!TargetsSource.isS3(targets)) {
      return new TargetsLoader(context.environment()).load(Path.of(targets));
    }
    try (Closer closer = new Closer()) {
      return context.bootstrap(closer, aws).start().getInstance(TargetsSource.class).load(targets);
    }
  }
}
