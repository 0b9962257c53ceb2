package io.amifleet.emulator;

/**
 * One emulator per JVM for test suites: started on first use by {@link MotoLauncher}, stopped when
 * the JVM exits. Tests call {@link Emulator#reset()} or use their own account IDs to stay apart.
 */
public final class SharedEmulator {
  private static Emulator instance;

  private SharedEmulator() {}

  public static synchronized Emulator get() {
    if (instance == null) {
      Emulator started = MotoLauncher.fromEnvironment().start();
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "emulator-stop"));
      instance = started;
    }
    return instance;
  }
}
