package io.amifleet.bench;

/**
 * One figure of the report.
 *
 * @param target what the issue asks for, in words ("≥ 30×"), or "-" for a figure without target
 * @param met whether the target was met; {@code null} without target
 */
public record Measure(String scenario, String name, String value, String target, Boolean met) {
  public static Measure info(String scenario, String name, String value) {
    return new Measure(scenario, name, value, "-", null);
  }

  public static Measure check(
      String scenario, String name, String value, String target, boolean met) {
    return new Measure(scenario, name, value, target, met);
  }
}
