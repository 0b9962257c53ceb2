package io.amifleet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.amifleet.emulator.realistic.ProxyStats;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShellLoopScenarioTest {
  static CompetitorRun run(Competitor c, int round, long wall, Long motoCpu) {
    return run(c, round, wall, motoCpu, null);
  }

  static CompetitorRun run(Competitor c, int round, long wall, Long motoCpu, Long floor) {
    return new CompetitorRun(
        c,
        LayerProfile.PERMISSIVE,
        round,
        List.of("x"),
        0.5,
        0,
        wall,
        2000,
        motoCpu,
        300,
        400,
        0,
        null,
        700L,
        1000L,
        900L,
        floor,
        Map.of("EC2.CreateImage", new ProxyStats.Count(410, 10, 10)),
        Map.of(),
        JsonNodeFactory.instance.objectNode());
  }

  @Test
  void theBucketAloneIsWhatTheBucketLeavesAfterItsBurst() {
    assertThat(CompetitorGoals.throttleFloorMillis(100)).isEqualTo(10_000L);
    assertThat(CompetitorGoals.throttleFloorMillis(300)).isEqualTo(50_000L);
    assertThat(CompetitorGoals.throttleFloorMillis(50)).isNull();
  }

  @Test
  void theMedianRunByWallIsTheLowerMiddleOne() {
    CompetitorRun slow = run(Competitor.BOTO3_POOL, 1, 9000, 1L);
    CompetitorRun fast = run(Competitor.BOTO3_POOL, 2, 7000, 1L);
    CompetitorRun middle = run(Competitor.BOTO3_POOL, 3, 8000, 1L);

    assertThat(ShellLoopScenario.medianByWall(List.of(slow, fast, middle))).isSameAs(middle);
    assertThat(ShellLoopScenario.medianByWall(List.of(slow, fast))).isSameAs(fast);
  }

  @Test
  void cpuPerJobPastStartUpLeavesOutTheCpuBeforeTheFirstCreateImage() {
    CompetitorRun r = run(Competitor.AMIFLEET_OPEN, 1, 5000, 1500L);

    assertThat(r.cpuPerJobPastStartupMillis(400)).isEqualTo(1000 / 400.0);
    assertThat(r.totalCpuMillis()).isEqualTo(2000 + 1500 + 300);
  }

  @Test
  void theTableShowsEachCompetitorAndAFigureNotMeasuredAsADash() {
    CompetitorRun peer = run(Competitor.BOTO3_POOL, 1, 8100, null);
    CompetitorRun amifleet = run(Competitor.AMIFLEET_OPEN, 1, 9000, 2000L);

    String table =
        CompetitorTable.render(
            "title",
            Map.of(
                Competitor.BOTO3_POOL, List.of(peer),
                Competitor.AMIFLEET_OPEN, List.of(amifleet)),
            new java.util.LinkedHashMap<>(
                Map.of(Competitor.BOTO3_POOL, peer, Competitor.AMIFLEET_OPEN, amifleet)),
            400);

    assertThat(table)
        .contains("| boto3 thread pool (16) | 8.1 s | 2.0 s | - | 0.3 s | - | 400 | 0 | - | 10 |")
        .doesNotContain("floor")
        .contains("| EC2.CreateImage (layer) | 410 (10) | 410 (10) |");
  }

  @Test
  void theTableSetsEachRunsWallAgainstTheFloorOfThatRun() {
    CompetitorRun peer = run(Competitor.BOTO3_POOL, 1, 57_100, 1L, 28_550L);
    CompetitorRun loop = run(Competitor.SHELL_LOOP, 1, 600_000, 1L, null);
    CompetitorRun amifleet = run(Competitor.AMIFLEET, 1, 32_000, 1L, 29_100L);
    Map<Competitor, CompetitorRun> median = new java.util.LinkedHashMap<>();
    median.put(Competitor.BOTO3_POOL, peer);
    median.put(Competitor.SHELL_LOOP, loop);
    median.put(Competitor.AMIFLEET, amifleet);

    String table =
        CompetitorTable.render(
            "title",
            Map.of(
                Competitor.BOTO3_POOL, List.of(peer),
                Competitor.SHELL_LOOP, List.of(loop),
                Competitor.AMIFLEET, List.of(amifleet)),
            median,
            400);

    assertThat(table)
        .contains("| floor of its run (bucket + drawn pending) | wall / floor |")
        .contains("| 28.6 s | 2.00x |")
        .contains("| 29.1 s | 1.10x |")
        .contains("| - | - |");
  }
}
