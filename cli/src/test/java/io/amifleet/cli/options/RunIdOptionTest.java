package io.amifleet.cli.options;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.amifleet.cli.CliContext;
import io.amifleet.common.config.ConfigException;
import io.amifleet.common.config.Environment;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunIdOptionTest {
  private static CliContext context(Map<String, String> env) {
    PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
    return new CliContext(Environment.of(env), nowhere, nowhere, false, s -> s, List.of());
  }

  private static RunIdOption given(String flag) {
    RunIdOption option = new RunIdOption();
    option.runId = flag;
    return option;
  }

  @Test
  void theFlagWinsOverTheEnvironment() {
    assertThat(given("r1").resolve(context(Map.of("AMIFLEET_RUN_ID", "r2")))).isEqualTo("r1");
  }

  @Test
  void theEnvironmentGivesTheRunIdWhenTheFlagIsAbsent() {
    assertThat(
            given(null)
                .resolve(context(Map.of("AMIFLEET_RUN_ID", "scheduled-2026-11-28T02:00:00Z"))))
        .isEqualTo("scheduled-2026-11-28T02:00:00Z");
  }

  @Test
  void withNeitherOrABlankVariableANewTimeBasedIdIsMade() {
    assertThat(given(null).resolve(context(Map.of()))).matches("\\d{8}T\\d{6}Z-[0-9a-f]{6}");
    assertThat(given(null).resolve(context(Map.of("AMIFLEET_RUN_ID", " "))))
        .matches("\\d{8}T\\d{6}Z-[0-9a-f]{6}");
  }

  @Test
  void aMalformedRunIdIsAConfigErrorNamingFlagAndVariable() {
    assertThatThrownBy(() -> given("night 1").resolve(context(Map.of())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--run-id")
        .hasMessageContaining("AMIFLEET_RUN_ID")
        .hasMessageContaining("'night 1'");
  }
}
