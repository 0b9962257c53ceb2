package io.amifleet.common.message;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Device names of {@code excludeDevices}: the volumes left out of an image (as {@code NoDevice}
 * block-device mappings in CreateImage). EC2 refuses to leave out the root volume, so the names the
 * root device conventionally has are refused when the file is read; the instance's actual {@code
 * RootDeviceName} is checked again before CreateImage.
 */
public final class Devices {
  /**
   * A Linux or Windows device name as EC2 writes it in block-device mappings: {@code /dev/sdf},
   * {@code /dev/xvdb}, {@code xvdf} (see "Device names on Linux instances",
   * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/device_naming.html).
   */
  public static final Pattern DEVICE_NAME = Pattern.compile("(/dev/)?[a-z][a-z0-9]{1,15}");

  /**
   * The root device names EC2 AMIs use ("Device names for volumes on Amazon EC2 instances": {@code
   * /dev/sda1} or {@code /dev/xvda} for the root volume).
   */
  public static final Set<String> CONVENTIONAL_ROOTS =
      Set.of("/dev/sda1", "/dev/xvda", "/dev/sda", "/dev/nvme0n1", "xvda", "sda1");

  /** At most this many devices are left out: an instance has at most a few dozen volumes. */
  public static final int MAX_EXCLUDED = 40;

  private Devices() {}

  /** Checks {@code devices}; returns them unmodifiable, or throws naming the bad one. */
  public static List<String> validated(List<String> devices, String field) {
    if (devices.size() > MAX_EXCLUDED) {
      throw new IllegalArgumentException(field + ": at most " + MAX_EXCLUDED + " devices");
    }
    Set<String> seen = new HashSet<>();
    List<String> out = new ArrayList<>();
    for (String d : devices) {
      if (d == null || !DEVICE_NAME.matcher(d).matches()) {
        throw new IllegalArgumentException(
            field + ": '" + d + "' is not a device name such as /dev/sdf or xvdf");
      }
      if (CONVENTIONAL_ROOTS.contains(d)) {
        throw new IllegalArgumentException(
            field
                + ": '"
                + d
                + "' is a root device name, and EC2 cannot leave the root volume out of an image");
      }
      if (!seen.add(d)) {
        throw new IllegalArgumentException(field + ": '" + d + "' is listed twice");
      }
      out.add(d);
    }
    return List.copyOf(out);
  }

  /** Whether {@code a} and {@code b} name the same device ({@code xvdf} and {@code /dev/xvdf}). */
  public static boolean same(String a, String b) {
    return strip(a).equals(strip(b));
  }

  private static String strip(String d) {
    return d.startsWith("/dev/") ? d.substring("/dev/".length()) : d;
  }
}
