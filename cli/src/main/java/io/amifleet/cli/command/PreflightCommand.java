package io.amifleet.cli.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.amifleet.cli.CliContext;
import io.amifleet.cli.options.AwsOptions;
import io.amifleet.cli.options.OutputOption;
import io.amifleet.cli.options.TargetsOption;
import io.amifleet.cli.output.Table;
import io.amifleet.common.config.ConfigException;
import io.amifleet.common.config.Targets;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.dispatcher.preflight.CopyPreflight;
import io.amifleet.dispatcher.preflight.Preflight;
import io.amifleet.dispatcher.preflight.PreflightModule;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code amifleet preflight}: will tonight's run work? */
@Command(
    name = "preflight",
    mixinStandardHelpOptions = true,
    description = {
      "Check every account and region of targets.yaml before the night: the role can be assumed"
          + " (with the ExternalId), instances can be listed and how many the selector matches, and"
          + " CreateImage is allowed (an EC2 DryRun), and, where targets.yaml has hooks, the"
          + " instances are SSM managed instances that are online. Changes nothing; exit 1 if any"
          + " check fails.",
      "-o json prints JSON Lines: one object per account-region as it is checked."
    })
public final class PreflightCommand implements Callable<Integer> {
  private final CliContext context;

  @Mixin AwsOptions aws;
  @Mixin TargetsOption targets;

  @Option(
      names = "--parallelism",
      paramLabel = "N",
      defaultValue = "32",
      description = "Account-regions checked at once (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Mixin OutputOption output;

  PreflightCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    if (parallelism < 1 || parallelism > 512) {
      throw new ConfigException("--parallelism must be 1-512");
    }
    Targets loaded = targets.load(context, context.aws(aws.settings()));
    try (Closer closer = new Closer()) {
      var injector =
          context.bootstrap(closer, aws.settings()).install(new PreflightModule()).start();
      long start = System.nanoTime();
      List<Preflight.Row> rows = injector.getInstance(Preflight.class).check(loaded, parallelism);
      List<CopyPreflight.CopyRow> copies =
          injector.getInstance(CopyPreflight.class).check(loaded, parallelism);
      double seconds = (System.nanoTime() - start) / 1e9;
      if (output.json()) {
        ObjectMapper mapper = injector.getInstance(ObjectMapper.class);
        rows.forEach(r -> context.out().println(mapper.valueToTree(r).toString()));
        // Copy destinations: one object each, told apart by copyAccount.
        copies.forEach(r -> context.out().println(mapper.valueToTree(r).toString()));
      } else {
        Table t =
            new Table(
                "ACCOUNT",
                "NAME",
                "REGION",
                "ASSUME ROLE",
                "LIST INSTANCES",
                "CREATE IMAGE",
                "HOOKS",
                "PROBLEM");
        for (Preflight.Row r : rows) {
          t.row(
              r.accountId(),
              r.name(),
              r.region(),
              r.assumeRole().status(),
              r.listInstances().status() == Preflight.Status.OK
                  ? r.matched() + " matched"
                  : r.listInstances().status(),
              r.createImage().status(),
              r.hooks().status() == Preflight.Status.NOT_CHECKED ? "-" : r.hooks().status(),
              problem(r));
        }
        t.print(context.out());
        if (!copies.isEmpty()) {
          Table c =
              new Table(
                  "ACCOUNT",
                  "NAME",
                  "COPY IN",
                  "REGION",
                  "ASSUME ROLE",
                  "REGION ENABLED",
                  "KMS KEY",
                  "PROBLEM");
          for (CopyPreflight.CopyRow r : copies) {
            c.row(
                r.accountId(),
                r.name(),
                r.copyAccount(),
                r.region(),
                r.assumeRole().status(),
                r.regionEnabled().status(),
                r.kmsKey().status(),
                problem(List.of(r.assumeRole(), r.regionEnabled(), r.kmsKey())));
          }
          context.out().println();
          c.print(context.out());
          long copyProblems = copies.stream().filter(r -> !r.ok()).count();
          context
              .out()
              .printf(
                  Locale.ROOT,
                  "%d copy destination(s) checked: %d ok, %d with problems%n",
                  copies.size(),
                  copies.size() - copyProblems,
                  copyProblems);
        }
        long failed = rows.stream().filter(r -> !r.ok()).count();
        context
            .out()
            .printf(
                Locale.ROOT,
                "%n%d account-region(s) checked in %.1f s: %d ok, %d with problems%n",
                rows.size(),
                seconds,
                rows.size() - failed,
                failed);
      }
      return rows.stream().allMatch(Preflight.Row::ok)
              && copies.stream().allMatch(CopyPreflight.CopyRow::ok)
          ? 0
          : 1;
    }
  }

  private static String problem(List<Preflight.Check> checks) {
    return checks.stream()
        .filter(c -> c.status() == Preflight.Status.FAILED)
        .map(Preflight.Check::detail)
        .findFirst()
        .orElse("-");
  }

  private static String problem(Preflight.Row r) {
    for (Preflight.Check c :
        List.of(r.assumeRole(), r.listInstances(), r.createImage(), r.hooks())) {
      if (c.status() == Preflight.Status.FAILED) {
        return c.detail();
      }
    }
    if (r.createImage().status() == Preflight.Status.NOT_CHECKED) {
      return "CreateImage not checked: " + r.createImage().detail();
    }
    return "-";
  }
}
