package io.amifleet.emulator.realistic;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every number of the realistic EC2 layer, with where it comes from. {@link #realistic()} holds
 * EC2's documented defaults; {@link #permissive()} switches every rule off (the layer then only
 * passes calls through and counts them).
 *
 * <p>Sources:
 *
 * <ul>
 *   <li>Request token buckets per account, region and API (bucket size / refill per second):
 *       https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html ("Request token
 *       bucket sizes and refill rates"): CreateImage 50/5, CopyImage 100/1, CreateTags 100/10,
 *       DeregisterImage and DeleteSnapshot 100/5, DescribeImages 100/20, DescribeInstances and
 *       DescribeSnapshots 50/10 (unfiltered and unpaginated non-mutating actions); other actions
 *       are treated as non-mutating: 100/20.
 *   <li>1,000 IDs per Describe call and 200 values per filter: the Filter and DescribeImages pages
 *       of the EC2 API reference
 *       (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Filter.html), and EC2's
 *       guidance to describe at most 1,000 resources by ID per call.
 *   <li>AMI names: 3-128 characters of letters, digits, ( ) [ ] space . / - ' @ _
 *       (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateImage.html); unique per
 *       account and region (InvalidAMIName.Duplicate,
 *       https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
 *   <li>50 tags per resource, {@code aws:} reserved:
 *       https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions.
 *   <li>Eventual consistency of new resources:
 *       https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html (AWS gives no
 *       figure; "a few seconds" is what callers see, hence 3 s).
 *   <li>Time to make an image: CreateImage's page says only that it takes time proportional to the
 *       data; minutes for a typical EBS root volume, hence 3-15 min, compressed by {@code
 *       timeScale} in tests and demos.
 *   <li>Latency: 40-250 ms per call, what a client in another region or on a busy network sees from
 *       EC2's regional endpoints (no AWS figure; a setting).
 *   <li>SSM Run Command: a command is InProgress while the agent runs it; 2 s stands for a short
 *       script plus the agent's pick-up (no AWS figure; a setting). Statuses:
 *       https://docs.aws.amazon.com/systems-manager/latest/userguide/monitor-commands.html.
 *   <li>Concurrent AMI copies per destination Region: 300, the figure issue 17 gives for EC2's
 *       quota ("Copy an AMI",
 *       https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/CopyingAMIs.html); a copy of a shared
 *       image needs its launch permission and its snapshots' createVolumePermission
 *       (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-explicit.html).
 *   <li>Assumed-role credentials: the requested DurationSeconds (default 3,600 s) unless {@code
 *       credentialLifetime} shortens it
 *       (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
 * </ul>
 *
 * @param profile the name shown in messages ({@code realistic}, {@code permissive})
 * @param rules the rules switched on
 * @param seed seeds latency, pending times and the failed share
 * @param latencyMin shortest added latency per EC2/STS call
 * @param latencyMax longest added latency per EC2/STS call
 * @param pendingMin shortest time an image stays pending, in EC2 time
 * @param pendingMax longest time an image stays pending, in EC2 time
 * @param timeScale real seconds per EC2 second for pending times (0.01: minutes become seconds)
 * @param failedShare share of new images that end {@code failed} (0 to 1)
 * @param failingInstances images of these instances end {@code failed} (tests, demos)
 * @param consistencyWindow how long a new image ID stays unknown to DescribeImages
 * @param buckets token buckets by EC2 action
 * @param defaultBucket the bucket of any other EC2 action
 * @param maxIdsPerDescribe IDs allowed in one Describe call
 * @param maxFilterValues values allowed in one filter
 * @param maxTagsPerResource tags allowed per resource
 * @param credentialLifetime when present, every AssumeRole session lasts this long
 * @param externalIds the ExternalId each role demands, by role ARN or role name
 * @param commandRunTime how long an SSM Run Command runs on its instance (real time, not scaled)
 * @param maxConcurrentCopies pending AMI copies allowed per destination account+region
 */
public record RealismSettings(
    String profile,
    Set<Rule> rules,
    long seed,
    Duration latencyMin,
    Duration latencyMax,
    Duration pendingMin,
    Duration pendingMax,
    double timeScale,
    double failedShare,
    Set<String> failingInstances,
    Duration consistencyWindow,
    Map<String, Bucket> buckets,
    Bucket defaultBucket,
    int maxIdsPerDescribe,
    int maxFilterValues,
    int maxTagsPerResource,
    Optional<Duration> credentialLifetime,
    Map<String, String> externalIds,
    Duration commandRunTime,
    int maxConcurrentCopies) {

  /** A token bucket: {@code capacity} tokens, refilled at {@code refillPerSecond}. */
  public record Bucket(int capacity, double refillPerSecond) {
    public Bucket {
      if (capacity < 1 || refillPerSecond <= 0) {
        throw new IllegalArgumentException("a bucket needs capacity >= 1 and refill > 0");
      }
    }
  }

  public RealismSettings {
    requireNonNull(profile, "profile is null");
    rules = rules.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(rules));
    requireNonNull(latencyMin, "latencyMin is null");
    requireNonNull(latencyMax, "latencyMax is null");
    requireNonNull(pendingMin, "pendingMin is null");
    requireNonNull(pendingMax, "pendingMax is null");
    if (latencyMax.compareTo(latencyMin) < 0 || pendingMax.compareTo(pendingMin) < 0) {
      throw new IllegalArgumentException("a maximum is below its minimum");
    }
    if (!(timeScale > 0)) {
      throw new IllegalArgumentException("timeScale must be positive");
    }
    if (failedShare < 0 || failedShare > 1) {
      throw new IllegalArgumentException("failedShare must be within [0, 1]");
    }
    failingInstances = Set.copyOf(failingInstances);
    requireNonNull(consistencyWindow, "consistencyWindow is null");
    buckets = Map.copyOf(buckets);
    requireNonNull(defaultBucket, "defaultBucket is null");
    if (maxIdsPerDescribe < 1 || maxFilterValues < 1 || maxTagsPerResource < 1) {
      throw new IllegalArgumentException("limits must be positive");
    }
    requireNonNull(credentialLifetime, "credentialLifetime is null");
    externalIds = Map.copyOf(externalIds);
    requireNonNull(commandRunTime, "commandRunTime is null");
    if (maxConcurrentCopies < 1) {
      throw new IllegalArgumentException("maxConcurrentCopies must be positive");
    }
  }

  /** EC2's documented behaviour, every rule on. */
  public static RealismSettings realistic() {
    Map<String, Bucket> buckets = new LinkedHashMap<>();
    buckets.put("CreateImage", new Bucket(50, 5));
    buckets.put("CopyImage", new Bucket(100, 1));
    buckets.put("CreateTags", new Bucket(100, 10));
    buckets.put("DeregisterImage", new Bucket(100, 5));
    buckets.put("DeleteSnapshot", new Bucket(100, 5));
    buckets.put("DescribeImages", new Bucket(100, 20));
    buckets.put("DescribeInstances", new Bucket(50, 10));
    buckets.put("DescribeSnapshots", new Bucket(50, 10));
    return new RealismSettings(
        "realistic",
        EnumSet.allOf(Rule.class),
        42,
        Duration.ofMillis(40),
        Duration.ofMillis(250),
        Duration.ofMinutes(3),
        Duration.ofMinutes(15),
        1.0,
        0.0,
        Set.of(),
        Duration.ofSeconds(3),
        buckets,
        new Bucket(100, 20),
        1000,
        200,
        50,
        Optional.empty(),
        Map.of(),
        Duration.ofSeconds(2),
        300);
  }

  /** Pass-through: every rule off; calls are only counted. */
  public static RealismSettings permissive() {
    return realistic().toBuilder().profile("permissive").rules(Set.of()).build();
  }

  /**
   * The named profile: {@code realistic}, or {@code permissive} (pass-through but for {@link
   * Rule#SNAPSHOT_TAGS}, which moto lacks).
   */
  public static RealismSettings profile(String name) {
    return switch (name) {
      case "realistic" -> realistic();
      // moto 5.2.1 cannot take snapshot TagSpecifications in CreateImage (NotImplementedError, an
      // HTTP 500), which EC2 takes and amifleet always sends: the named profile keeps that rule so
      // that images can be made through it; the rest is pass-through.
      case "permissive" -> permissive().toBuilder().with(Rule.SNAPSHOT_TAGS).build();
      default ->
          throw new IllegalArgumentException(
              "unknown profile '" + name + "'; profiles: realistic, permissive");
    };
  }

  public boolean on(Rule rule) {
    return rules.contains(rule);
  }

  public Bucket bucket(String action) {
    return buckets.getOrDefault(action, defaultBucket);
  }

  /** The ExternalId {@code roleArn} demands, by its full ARN or else its role name. */
  public Optional<String> externalIdFor(String roleArn) {
    String exact = externalIds.get(roleArn);
    if (exact != null) {
      return Optional.of(exact);
    }
    int slash = roleArn.lastIndexOf('/');
    return Optional.ofNullable(externalIds.get(slash < 0 ? roleArn : roleArn.substring(slash + 1)));
  }

  @Override
  public String toString() {
    // ExternalIds are secrets: never printed.
    return "RealismSettings[profile="
        + profile
        + ", rules="
        + rules
        + ", timeScale="
        + timeScale
        + ", externalIds="
        + externalIds.size()
        + " role(s)]";
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Changes some settings of a copy: {@code realistic().toBuilder().timeScale(0.01).build()}. */
  public static final class Builder {
    private String profile;
    private Set<Rule> rules;
    private long seed;
    private Duration latencyMin;
    private Duration latencyMax;
    private Duration pendingMin;
    private Duration pendingMax;
    private double timeScale;
    private double failedShare;
    private Set<String> failingInstances;
    private Duration consistencyWindow;
    private final Map<String, Bucket> buckets;
    private Bucket defaultBucket;
    private int maxIdsPerDescribe;
    private int maxFilterValues;
    private int maxTagsPerResource;
    private Optional<Duration> credentialLifetime;
    private final Map<String, String> externalIds;
    private Duration commandRunTime;
    private int maxConcurrentCopies;

    private Builder(RealismSettings s) {
      profile = s.profile;
      rules = EnumSet.noneOf(Rule.class);
      rules.addAll(s.rules);
      seed = s.seed;
      latencyMin = s.latencyMin;
      latencyMax = s.latencyMax;
      pendingMin = s.pendingMin;
      pendingMax = s.pendingMax;
      timeScale = s.timeScale;
      failedShare = s.failedShare;
      failingInstances = s.failingInstances;
      consistencyWindow = s.consistencyWindow;
      buckets = new LinkedHashMap<>(s.buckets);
      defaultBucket = s.defaultBucket;
      maxIdsPerDescribe = s.maxIdsPerDescribe;
      maxFilterValues = s.maxFilterValues;
      maxTagsPerResource = s.maxTagsPerResource;
      credentialLifetime = s.credentialLifetime;
      externalIds = new LinkedHashMap<>(s.externalIds);
      commandRunTime = s.commandRunTime;
      maxConcurrentCopies = s.maxConcurrentCopies;
    }

    public Builder maxConcurrentCopies(int value) {
      maxConcurrentCopies = value;
      return this;
    }

    public Builder profile(String value) {
      profile = value;
      return this;
    }

    public Builder rules(Set<Rule> value) {
      rules = value.isEmpty() ? EnumSet.noneOf(Rule.class) : EnumSet.copyOf(value);
      return this;
    }

    public Builder without(Rule... off) {
      for (Rule r : off) {
        rules.remove(r);
      }
      return this;
    }

    public Builder with(Rule... on) {
      for (Rule r : on) {
        rules.add(r);
      }
      return this;
    }

    public Builder seed(long value) {
      seed = value;
      return this;
    }

    public Builder latency(Duration min, Duration max) {
      latencyMin = min;
      latencyMax = max;
      return this;
    }

    public Builder pending(Duration min, Duration max) {
      pendingMin = min;
      pendingMax = max;
      return this;
    }

    public Builder timeScale(double value) {
      timeScale = value;
      return this;
    }

    public Builder failedShare(double value) {
      failedShare = value;
      return this;
    }

    public Builder failingInstances(Set<String> value) {
      failingInstances = value;
      return this;
    }

    public Builder consistencyWindow(Duration value) {
      consistencyWindow = value;
      return this;
    }

    public Builder bucket(String action, Bucket value) {
      buckets.put(action, value);
      return this;
    }

    public Builder limits(int idsPerDescribe, int filterValues, int tagsPerResource) {
      maxIdsPerDescribe = idsPerDescribe;
      maxFilterValues = filterValues;
      maxTagsPerResource = tagsPerResource;
      return this;
    }

    public Builder credentialLifetime(Duration value) {
      credentialLifetime = Optional.of(value);
      return this;
    }

    /** {@code role}: a role ARN, or a role name meaning that role in every account. */
    public Builder commandRunTime(Duration value) {
      commandRunTime = value;
      return this;
    }

    public Builder externalId(String role, String externalId) {
      externalIds.put(role, externalId);
      return this;
    }

    public RealismSettings build() {
      return new RealismSettings(
          profile,
          rules,
          seed,
          latencyMin,
          latencyMax,
          pendingMin,
          pendingMax,
          timeScale,
          failedShare,
          failingInstances,
          consistencyWindow,
          buckets,
          defaultBucket,
          maxIdsPerDescribe,
          maxFilterValues,
          maxTagsPerResource,
          credentialLifetime,
          externalIds,
          commandRunTime,
          maxConcurrentCopies);
    }
  }
}
