package io.amifleet.common.message;

import java.util.Locale;

/**
 * How consistent an image is, as its {@code amifleet:consistency} tag and its result's {@code
 * consistency} say: {@code application} (the pre hook succeeded before CreateImage), {@code reboot}
 * (EC2 rebooted the instance for it), {@code crash} (neither: as if the power went off).
 */
public enum Consistency {
  APPLICATION,
  REBOOT,
  CRASH;

  /** The word in tags and results: {@code application}. */
  public String written() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** What a job without hooks (or whose pre hook failed) gets from its reboot setting. */
  public static Consistency withoutHooks(boolean reboot) {
    return reboot ? REBOOT : CRASH;
  }
}
