package io.amifleet.cli.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.cli.CliContext;
import io.amifleet.cli.Main;
import io.amifleet.common.config.Environment;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * One grammar for every command, checked on the picocli model: help everywhere, one name per flag,
 * each command offering only the flags it uses, {@code -o/--output} wherever results are printed.
 */
class CliGrammarTest {
  /** Commands that print results a program may want to read. */
  private static final List<String> PRINT_RESULTS =
      List.of(
          "dispatch",
          "preflight",
          "results",
          "run",
          "prune",
          "dlq list",
          "dlq replay",
          "queues create");

  private record Ran(int exitCode, String out, String err) {}

  private static Ran amifleet(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CliContext context =
        new CliContext(
            Environment.of(Map.of()),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            false,
            s -> s,
            List.of());
    int code = Main.run(context, args);
    return new Ran(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static Stream<String> everyCommandAndGroup() {
    return CommandModel.all().stream()
        .filter(c -> !c.getCommandName().equals("help"))
        .map(CommandModel::path);
  }

  @ParameterizedTest(name = "amifleet {0} --help / -h")
  @MethodSource("everyCommandAndGroup")
  void everyCommandAndGroupAnswersHelpAndH(String path) {
    for (String flag : List.of("--help", "-h")) {
      List<String> args = new ArrayList<>(List.of(path.split(" ")));
      args.add(flag);
      Ran r = amifleet(args.toArray(String[]::new));

      assertThat(r.exitCode()).as(path + " " + flag + ": " + r.err()).isZero();
      assertThat(r.out()).as(path + " " + flag).startsWith("Usage: amifleet " + path);
      assertThat(r.err()).as(path + " " + flag).isEmpty();
    }
  }

  @Test
  void aGroupWithoutASubcommandShowsItsUsage() {
    Ran r = amifleet("queues");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("Usage: amifleet queues").contains("create");
  }

  @Test
  void theQueuePrefixFlagHasOneNameEverywhere() {
    for (CommandLine c : CommandModel.all()) {
      for (OptionSpec o : c.getCommandSpec().options()) {
        if (List.of(o.names()).contains("--prefix")) {
          assertThat(o.hidden()).as(CommandModel.path(c) + " shows --prefix").isTrue();
        }
      }
    }
    assertThat(options("queues create")).contains("--queue-prefix");
  }

  @Test
  void theOldPrefixFlagStillWorksForOneReleaseAndSaysItsNewName() {
    Ran r = amifleet("queues", "create", "--prefix", "bad name!");
    assertThat(r.err()).contains("--prefix is now --queue-prefix");
    assertThat(r.err()).contains("--queue-prefix 'bad name!'");
    assertThat(r.exitCode()).isEqualTo(2);
  }

  @Test
  void commandsOfferOnlyTheFlagsTheyUse() {
    assertThat(options("prune"))
        .doesNotContain(
            "--concurrency",
            "--poll-interval",
            "--max-wait",
            "--shutdown-timeout",
            "--allow-account",
            "--visibility-timeout",
            "--create-rate",
            "--create-burst",
            "--results-queue",
            "--dlq");
    assertThat(options("results")).doesNotContain("--dlq", "--jobs-queue");
    assertThat(options("dispatch")).doesNotContain("--dlq", "--results-queue");
    assertThat(options("dlq list")).doesNotContain("--jobs-queue", "--results-queue");
    assertThat(options("dlq replay")).doesNotContain("--results-queue");
    assertThat(options("worker"))
        .contains("--queue-prefix", "--jobs-queue", "--results-queue", "--dlq");
  }

  @Test
  void everyCommandThatPrintsResultsTakesOutputWithItsShortForm() {
    for (String path : PRINT_RESULTS) {
      assertThat(options(path)).as(path).contains("-o", "--output");
    }
  }

  @Test
  void outputAcceptsOnlyTableOrJson() {
    Ran r = amifleet("results", "-o", "yaml");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("table, json");
  }

  @Test
  void theCompletionScriptComesFromTheModelAndKnowsEveryCommandAndFlag() {
    Ran r = amifleet("completion");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).startsWith("#!/usr/bin/env bash").contains("complete -F");
    for (CommandLine c : CommandModel.documented()) {
      assertThat(r.out()).as(CommandModel.path(c)).contains(c.getCommandName());
    }
    assertThat(r.out()).contains("--queue-prefix").contains("--max-receive-count");
    assertThat(amifleet("--help").out()).doesNotContain("completion");
  }

  private static Set<String> options(String path) {
    CommandLine c =
        CommandModel.all().stream()
            .filter(x -> CommandModel.path(x).equals(path))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no command " + path));
    return c.getCommandSpec().options().stream()
        .filter(o -> !o.hidden())
        .flatMap(o -> Stream.of(o.names()))
        .collect(java.util.stream.Collectors.toSet());
  }
}
