package io.amifleet.worker.image;

import java.util.Locale;

/**
 * An image's state as DescribeImages reports it
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Image.html: pending, available,
 * invalid, deregistered, transient, failed, error, disabled). The one place that says which states
 * wait, which are done and which are broken for good.
 */
public enum ImageState {
  PENDING,
  AVAILABLE,
  INVALID,
  DEREGISTERED,
  TRANSIENT,
  FAILED,
  ERROR,
  DISABLED,
  /** A state this amifleet does not know (EC2 added one), or none was given. */
  UNKNOWN;

  /** The state EC2 names {@code value} (any case); {@link #UNKNOWN} for null or a new one. */
  public static ImageState of(String value) {
    if (value == null) {
      return UNKNOWN;
    }
    try {
      return valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return UNKNOWN;
    }
  }

  public boolean available() {
    return this == AVAILABLE;
  }

  /** Still being made: waiting may end in {@link #AVAILABLE}. */
  public boolean pending() {
    return this == PENDING || this == TRANSIENT;
  }

  /** Failed for good: nothing will make an image in this state available. */
  public boolean broken() {
    return !available() && !pending();
  }

  /**
   * Broken and still registered under its name, so that a new image of the job cannot take the name
   * until it is deregistered. A deregistered image holds nothing, and a disabled one was disabled
   * by someone on purpose: neither is deregistered by amifleet.
   */
  public boolean replaceable() {
    return this == FAILED || this == ERROR || this == INVALID;
  }

  /** EC2's own name: {@code available}, {@code failed}, ... */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
