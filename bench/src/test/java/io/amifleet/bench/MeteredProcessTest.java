package io.amifleet.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeteredProcessTest {
  /** Burns this much CPU (process time, not wall time: a busy machine only makes it slower). */
  private static String burn(double seconds) {
    return "python3 -c 'import time\nt = time.process_time()\nwhile time.process_time() - t < "
        + seconds
        + ": pass'";
  }

  @TempDir Path dir;

  @Test
  void countsTheCpuOfEveryProcessInTheTreeAndPassesTheExitCodeOn() {
    MeteredProcess.Ran ran =
        MeteredProcess.run(
            List.of("sh", "-c", burn(0.3) + "; " + burn(0.3) + "; exit 3"),
            Map.of(),
            dir.resolve("out"),
            dir.resolve("err"),
            Duration.ofMinutes(2),
            (elapsed, cpu) -> {});

    assertThat(ran.exitCode()).isEqualTo(3);
    // Two grandchildren of 0.3 s each, seen through bash's times (getrusage of its children).
    assertThat(ran.cpu()).isGreaterThanOrEqualTo(Duration.ofMillis(580));
    assertThat(ran.wall()).isGreaterThanOrEqualTo(Duration.ofMillis(300));
  }

  @Test
  void whileItRunsTheTreeCpuIncludesChildrenThatHaveAlreadyExited() {
    AtomicLong seen = new AtomicLong(-1);
    MeteredProcess.run(
        List.of("sh", "-c", burn(0.3) + "; sleep 1"),
        Map.of(),
        dir.resolve("out"),
        dir.resolve("err"),
        Duration.ofMinutes(2),
        (elapsed, cpu) -> {
          long now = cpu.getAsLong();
          if (now >= 0) { // -1: the tree has just exited
            seen.set(now);
          }
        });

    // The last look is during the sleep, after the burner exited: sh's cutime holds its 0.3 s.
    assertThat(seen.get()).isGreaterThanOrEqualTo(280_000_000L);
  }

  @Test
  void aCommandThatOutlivesItsTimeoutIsStoppedWithItsChildren() {
    long start = System.nanoTime();
    assertThatThrownBy(
            () ->
                MeteredProcess.run(
                    List.of("sh", "-c", "sleep 60"),
                    Map.of(),
                    dir.resolve("out"),
                    dir.resolve("err"),
                    Duration.ofMillis(500),
                    (elapsed, cpu) -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("did not finish within");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void readsBashTimesInEitherDecimalMark() {
    assertThat(MeteredProcess.parseTimes("0m1.250s 0m0.050s")).isEqualTo(Duration.ofMillis(1300));
    assertThat(MeteredProcess.parseTimes("1m0,500s 0m0,000s")).isEqualTo(Duration.ofMillis(60_500));
    assertThatThrownBy(() -> MeteredProcess.parseTimes("0m1.250s"))
        .hasMessageContaining("cannot read user and system time");
  }
}
