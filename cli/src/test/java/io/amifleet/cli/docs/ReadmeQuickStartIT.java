package io.amifleet.cli.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.cli.testing.Cli;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.Emulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.SharedEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Running a fleet" commands, run as written against the emulator: the placeholders
 * get what the earlier commands printed, {@code targets.yaml} is a file with one seeded account,
 * and the worker, which would run until stopped, exits once the queue is empty.
 */
class ReadmeQuickStartIT {
  private static final Pattern ENQUEUED =
      Pattern.compile("run (\\S+): (\\d+) of (\\d+) job\\(s\\) enqueued");

  private final Emulator emulator = SharedEmulator.get();
  private EmulatedAws aws;
  @TempDir Path dir;

  @BeforeEach
  void setUp() {
    emulator.reset();
    aws = new EmulatedAws(emulator.endpoint(), Cli.REGION);
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  /** The amifleet lines of the sh block under the heading. */
  private static List<String> block(String heading) {
    String readme = CommandModel.read("README.md");
    int start = readme.indexOf("\n## " + heading + "\n");
    assertThat(start).as(heading).isPositive();
    int open = readme.indexOf("```sh\n", start);
    int close = readme.indexOf("```", open + 6);
    List<String> lines = new ArrayList<>();
    for (String line : readme.substring(open + 6, close).split("\n")) {
      String command = DocumentedCommandLinesTest.amifleetPart(line);
      if (command != null) {
        lines.add(command);
      }
    }
    return lines;
  }

  @Test
  void runningAFleetWorksAsWritten() throws Exception {
    new Seeder(aws).runInstances("111111111111", Cli.REGION, 3, Map.of("Backup", "nightly"));
    Path targets = dir.resolve("targets.yaml");
    Files.writeString(
        targets,
        """
        defaults:
          regions: [us-east-1]
          externalId: ${AMIFLEET_EXTERNAL_ID}
          select: {tags: {Backup: nightly}}
        accounts:
          - id: "111111111111"
        """);
    Cli cli = new Cli(emulator, Map.of("AMIFLEET_EXTERNAL_ID", "readme-external-id"));
    List<String> commands = block("Running a fleet");
    assertThat(commands)
        .extracting(c -> c.split(" ")[0])
        .containsExactly("queues", "dispatch", "worker", "results");

    String runId = null;
    String jobs = null;
    for (String command : commands) {
      String line = command.replace("targets.yaml", targets.toString());
      if (runId != null) {
        line = line.replace("<runId>", runId).replace("<jobCount>", jobs);
      }
      List<String> args = new ArrayList<>(List.of(line.split("\\s+")));
      if (args.get(0).equals("worker")) {
        args.addAll(List.of("--exit-when-idle", "3s", "--poll-interval", "1s"));
      }
      Cli.Result r = cli.run(args.toArray(String[]::new));
      assertThat(r.exitCode()).as(line + "\n" + r).isZero();
      Matcher enqueued = ENQUEUED.matcher(r.out());
      if (args.get(0).equals("dispatch")) {
        assertThat(enqueued.find()).as(r.out()).isTrue();
        runId = enqueued.group(1);
        jobs = enqueued.group(2);
        assertThat(jobs).isEqualTo("3");
      }
      if (args.get(0).equals("results")) {
        assertThat(r.out()).contains("3 result(s): 3 succeeded, 0 failed, 0 timed out");
      }
    }
  }
}
