package io.amifleet.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BenchConfigTest {
  @Test
  void theFullRunRacesEveryCompetitorUnderEveryProfile() {
    BenchConfig full = BenchConfig.parse(new String[0]);
    for (Competitor c : Competitor.values()) {
      for (LayerProfile p : LayerProfile.values()) {
        assertThat(full.races(c, p)).as(c + " under " + p).isTrue();
      }
    }
  }

  @Test
  void theSmallRunRacesEachCompetitorWhereItsFiguresAreChecked() {
    BenchConfig small = BenchConfig.parse(new String[] {"--small"});

    assertThat(small.races(Competitor.BOTO3_POOL, LayerProfile.PERMISSIVE)).isTrue();
    assertThat(small.races(Competitor.BOTO3_POOL, LayerProfile.REALISTIC)).isTrue();
    assertThat(small.races(Competitor.AMIFLEET_OPEN, LayerProfile.PERMISSIVE)).isTrue();
    assertThat(small.races(Competitor.AMIFLEET_OPEN, LayerProfile.REALISTIC)).isFalse();
    assertThat(small.races(Competitor.AMIFLEET, LayerProfile.REALISTIC)).isTrue();
    assertThat(small.races(Competitor.AMIFLEET, LayerProfile.PERMISSIVE)).isFalse();
    assertThat(small.races(Competitor.SHELL_LOOP, LayerProfile.REALISTIC)).isTrue();
    assertThat(small.races(Competitor.SHELL_LOOP, LayerProfile.PERMISSIVE)).isFalse();
  }

  @Test
  void competitorsProfilesAndScenariosCanBeChosen() {
    BenchConfig c =
        BenchConfig.parse(
            new String[] {
              "--scenarios", "1", "--competitors", "boto3-pool,amifleet-open",
              "--profiles", "permissive", "--repeat", "3"
            });

    assertThat(c.runs(1)).isTrue();
    assertThat(c.runs(3)).isFalse();
    assertThat(c.competitors()).containsExactly(Competitor.BOTO3_POOL, Competitor.AMIFLEET_OPEN);
    assertThat(c.races(Competitor.BOTO3_POOL, LayerProfile.REALISTIC)).isFalse();
    assertThat(c.races(Competitor.SHELL_LOOP, LayerProfile.PERMISSIVE)).isFalse();
    assertThat(c.repeat()).isEqualTo(3);
  }

  @Test
  void anUnknownOrRepeatedNameIsRefusedWithTheChoices() {
    assertThatThrownBy(() -> BenchConfig.parse(new String[] {"--competitors", "boto3"}))
        .hasMessageContaining("--competitors: 'boto3' is unknown")
        .hasMessageContaining("shell-loop,boto3-pool,amifleet,amifleet-open");
    assertThatThrownBy(() -> BenchConfig.parse(new String[] {"--profiles", "realistic,realistic"}))
        .hasMessageContaining("given twice");
    assertThatThrownBy(() -> BenchConfig.parse(new String[] {"--scenarios", "2"}))
        .hasMessageContaining("2 comes with 1");
  }
}
