package io.amifleet.bench;

import io.amifleet.emulator.realistic.RealismSettings;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The two settings scenario 1 races in. {@link #PERMISSIVE}: the plain emulator, which never
 * throttles, answers at once and makes images available at once; the layer only counts, except that
 * it applies CreateImage's snapshot TagSpecifications as EC2 does (moto raises NotImplementedError
 * for them, and both amifleet and the boto3 peer tag snapshots that way). {@link #REALISTIC}: every
 * rule of the layer at EC2's default buckets, images pending up to {@code --pending-seconds} (EC2's
 * 3-15 minutes compressed).
 */
enum LayerProfile {
  PERMISSIVE("permissive"),
  REALISTIC("realistic");

  private final String id;

  LayerProfile(String id) {
    this.id = id;
  }

  String id() {
    return id;
  }

  RealismSettings settings(BenchConfig config) {
    return switch (this) {
      case PERMISSIVE -> RealismSettings.profile("permissive");
      case REALISTIC -> Bench.layerSettings(config);
    };
  }

  static LayerProfile byId(String id) {
    return Arrays.stream(values()).filter(p -> p.id.equals(id)).findFirst().orElse(null);
  }

  static String names() {
    return Arrays.stream(values()).map(LayerProfile::id).collect(Collectors.joining(","));
  }

  static List<LayerProfile> parseList(String list) {
    return BenchConfig.parseNames("--profiles", list, LayerProfile::byId, names());
  }
}
