package io.amifleet.emulator;

import io.amifleet.emulator.realistic.RealismSettings;
import java.time.Duration;

/**
 * One emulator per JVM for test suites: moto started on first use by {@link MotoLauncher}, behind
 * the realistic EC2 layer with {@link #testSettings()}; stopped when the JVM exits. Tests call
 * {@link Emulator#reset()} (which also puts the layer back on these settings) or use their own
 * account IDs to stay apart.
 */
public final class SharedEmulator {
  private static RealisticEmulator instance;

  private SharedEmulator() {}

  /**
   * The realistic profile with time compressed for a test suite: images pending 1-4.5 s instead of
   * 3-15 min (time scale 1/200), SSM commands running 0.6 s instead of 2 s; every other number is
   * EC2's.
   */
  public static RealismSettings testSettings() {
    return RealismSettings.realistic().toBuilder()
        .timeScale(1 / 200.0)
        .commandRunTime(Duration.ofMillis(600))
        .build();
  }

  public static synchronized RealisticEmulator get() {
    if (instance == null) {
      RealisticEmulator started =
          RealisticEmulator.start(MotoLauncher.fromEnvironment().start(), testSettings(), 0);
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "emulator-stop"));
      instance = started;
    }
    return instance;
  }
}
