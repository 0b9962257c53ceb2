package io.amifleet.emulator.realistic;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * What real EC2 does that moto does not, applied to one EC2 call: throttling, expired credentials,
 * the limits on IDs, filter values, names and tags, the state of the instance to image, unique AMI
 * names, snapshot tags in CreateImage, images that take time, fail, or are not visible yet, and
 * image deprecation. Everything else goes to moto unchanged. Thread-safe.
 */
final class Ec2Rules {
  /** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateImage.html (Name). */
  private static final Pattern AMI_NAME = Pattern.compile("[A-Za-z0-9()\\[\\] ./\\-'@_]{3,128}");

  private final Upstream moto;
  private final TokenBuckets buckets;
  private final ImageTracker images;
  private final CreatedImages made;
  private final AccountDirectory accounts;
  private final LongSupplier nanoTime;
  private final SplittableRandom random;

  Ec2Rules(
      Upstream moto,
      TokenBuckets buckets,
      ImageTracker images,
      CreatedImages made,
      AccountDirectory accounts,
      LongSupplier nanoTime,
      long seed) {
    this.moto = moto;
    this.buckets = buckets;
    this.images = images;
    this.made = made;
    this.accounts = accounts;
    this.nanoTime = nanoTime;
    this.random = new SplittableRandom(seed);
  }

  CompletableFuture<Answer> handle(Call call, RealismSettings s) {
    QueryForm form = call.form();
    String action = form.action();
    if (s.on(Rule.CREDENTIAL_EXPIRY)
        && accounts.expired(call.accessKey(), System.currentTimeMillis())) {
      // EC2 answers RequestExpired when temporary credentials have expired.
      return done(Answer.ec2Error(400, "RequestExpired", "Request has expired."));
    }
    if (s.on(Rule.THROTTLING)
        && !buckets.take(call.account(), call.region(), action, s.bucket(action))) {
      return done(Answer.throttledCall());
    }
    Answer invalid = validate(call, action, form, s);
    if (invalid != null) {
      return done(invalid);
    }
    return switch (action) {
      case "CreateImage" -> createImage(call, form, s);
      case "CopyImage" -> s.on(Rule.COPIES) ? copyImage(call, form, s) : named(call, form, s);
      case "RegisterImage" -> named(call, form, s);
      case "DescribeImages" ->
          describeImages(call, form, s)
              .thenApply(
                  a ->
                      a.ok() && s.on(Rule.IMAGE_DEPRECATION)
                          ? a.withText(images.withDeprecationTimes(a.text()))
                          : a);
      case "EnableImageDeprecation", "DisableImageDeprecation" ->
          s.on(Rule.IMAGE_DEPRECATION) ? deprecation(call, form) : moto.forward(call);
      case "DeregisterImage" ->
          moto.forward(call)
              .thenApply(
                  a -> {
                    if (a.ok()) {
                      images.deregistered(call.account(), call.region(), form.get("ImageId"));
                    }
                    return a;
                  });
      case "TerminateInstances" ->
          moto.forward(call)
              .thenApply(
                  a -> {
                    if (a.ok()) {
                      for (String id : form.list("InstanceId")) {
                        images.instanceState(call.account(), call.region(), id, "terminated");
                      }
                    }
                    return a;
                  });
      default -> moto.forward(call);
    };
  }

  private Answer validate(Call call, String action, QueryForm form, RealismSettings s) {
    if (s.on(Rule.DESCRIBE_LIMITS) && action.startsWith("Describe")) {
      Map.Entry<String, Integer> ids = form.largestIdList();
      if (ids.getValue() > s.maxIdsPerDescribe()) {
        return Answer.ec2Error(
            400,
            "InvalidParameterValue",
            "The request gives "
                + ids.getValue()
                + " "
                + ids.getKey()
                + " values; at most "
                + s.maxIdsPerDescribe()
                + " IDs may be described in one call.");
      }
      for (Map.Entry<String, List<String>> f : form.filters().entrySet()) {
        if (f.getValue().size() > s.maxFilterValues()) {
          return Answer.ec2Error(
              400,
              "FilterLimitExceeded",
              "The request uses too many filters or too many filter values: filter '"
                  + f.getKey()
                  + "' has "
                  + f.getValue().size()
                  + " values (at most "
                  + s.maxFilterValues()
                  + ").");
        }
      }
    }
    if (s.on(Rule.TAG_LIMITS)) {
      Answer bad = action.equals("CreateTags") ? checkTags(form.tags(""), s) : null;
      for (Integer i : form.tagSpecifications().keySet()) {
        if (bad == null) {
          bad = checkTags(form.tags("TagSpecification." + i + "."), s);
        }
      }
      if (bad != null) {
        return bad;
      }
    }
    if (s.on(Rule.IMAGE_NAMES)
        && (action.equals("CreateImage")
            || action.equals("CopyImage")
            || action.equals("RegisterImage"))) {
      String name = form.get("Name");
      if (name == null) {
        return Answer.ec2Error(
            400, "MissingParameter", "The request must contain the parameter Name");
      }
      if (!AMI_NAME.matcher(name).matches()) {
        return Answer.ec2Error(
            400,
            "InvalidAMIName.Malformed",
            "AMI names must be between 3 and 128 characters long, and may contain letters, numbers,"
                + " '(', ')', '[', ']', ' ', '.', '/', '-', ''', '@' and '_'");
      }
    }
    if (s.on(Rule.INSTANCE_STATE) && action.equals("CreateImage")) {
      String instance = form.get("InstanceId");
      String state = images.instanceState(call.account(), call.region(), instance);
      if ("terminated".equals(state) || "shutting-down".equals(state)) {
        return Answer.ec2Error(
            400,
            "IncorrectInstanceState",
            "The instance '" + instance + "' is not in a valid state for this operation.");
      }
    }
    return null;
  }

  private static Answer checkTags(Map<String, String> tags, RealismSettings s) {
    if (tags.size() > s.maxTagsPerResource()) {
      return Answer.ec2Error(
          400,
          "TagLimitExceeded",
          "The limit on the number of tags that can be assigned to a resource was exceeded: "
              + tags.size()
              + " tags (at most "
              + s.maxTagsPerResource()
              + ").");
    }
    for (String key : tags.keySet()) {
      if (key.regionMatches(true, 0, "aws:", 0, 4)) {
        return Answer.ec2Error(
            400,
            "InvalidParameterValue",
            "Value ( "
                + key
                + " ) for parameter key is invalid. Tag keys starting with 'aws:' are"
                + " reserved for internal use");
      }
    }
    return null;
  }

  /** CopyImage and RegisterImage: a unique name, learned once the image exists. */
  private CompletableFuture<Answer> named(Call call, QueryForm form, RealismSettings s) {
    return withName(call, form.get("Name"), s, () -> moto.forward(call))
        .thenApply(
            a -> {
              String id = a.ok() ? Xml.first(a.text(), "imageId") : null;
              if (id != null) {
                images.nameTaken(call.account(), call.region(), form.get("Name"), id);
              }
              return a;
            });
  }

  /** Runs {@code create} holding {@code name} in the account+region; Duplicate when it is taken. */
  private CompletableFuture<Answer> withName(
      Call call, String name, RealismSettings s, Supplier<CompletableFuture<Answer>> create) {
    if (!s.on(Rule.DUPLICATE_NAMES) || name == null) {
      return create.get();
    }
    String holder = images.reserveName(call.account(), call.region(), name);
    if (holder != null) {
      return done(
          Answer.ec2Error(
              400,
              "InvalidAMIName.Duplicate",
              "AMI name " + name + " is already in use by AMI " + holder));
    }
    return create
        .get()
        .whenComplete(
            (a, e) -> {
              if (e != null || !a.ok()) {
                images.releaseName(call.account(), call.region(), name);
              }
            });
  }

  private CompletableFuture<Answer> createImage(Call call, QueryForm form, RealismSettings s) {
    String name = form.get("Name");
    Map<String, String> snapshotTags = new LinkedHashMap<>();
    Set<String> snapshotSpecs = new HashSet<>();
    if (s.on(Rule.SNAPSHOT_TAGS)) {
      form.tagSpecifications()
          .forEach(
              (i, type) -> {
                if (type.equals("snapshot")) {
                  snapshotTags.putAll(form.tags("TagSpecification." + i + "."));
                  snapshotSpecs.add("TagSpecification." + i + ".");
                }
              });
    }
    // moto raises NotImplementedError for snapshot TagSpecifications: take them off its call.
    QueryForm toMoto =
        snapshotSpecs.isEmpty()
            ? form
            : form.without(k -> snapshotSpecs.stream().anyMatch(k::startsWith));
    return withName(
        call,
        name,
        s,
        () ->
            (toMoto == form ? moto.forward(call) : moto.forward(call, toMoto))
                .thenCompose(
                    a -> {
                      String imageId = a.ok() ? Xml.first(a.text(), "imageId") : null;
                      if (imageId == null) {
                        return done(a);
                      }
                      if (name != null) {
                        images.nameTaken(call.account(), call.region(), name, imageId);
                      }
                      images.owned(imageId, call.account(), call.region());
                      long now = nanoTime.getAsLong();
                      ImageTracker.Tracked drawn = track(imageId, form.get("InstanceId"), s, now);
                      images.created(drawn);
                      made.add(call.account(), call.region(), now, drawn.availableAt() - now);
                      if (snapshotTags.isEmpty()) {
                        return done(a);
                      }
                      // Tag the snapshots before answering, so that the client never sees the
                      // image without them (as with EC2, which applies TagSpecifications at once).
                      return tagSnapshots(call, form, imageId, snapshotTags).thenApply(x -> a);
                    }));
  }

  /**
   * CopyImage ({@link Rule#COPIES}): the same ClientToken gives the same copy; at most {@code
   * maxConcurrentCopies} pending per destination ({@link Rule#COPY_LIMITS}); a copy of another
   * account's image is made here (moto cannot), once it is shared ({@link Rule#COPY_SHARING}); the
   * copy is tagged from TagSpecifications and stays pending like a new image.
   */
  private CompletableFuture<Answer> copyImage(Call call, QueryForm form, RealismSettings s) {
    String token = form.get("ClientToken");
    if (token != null) {
      String earlier = images.copyByToken(call.account(), call.region(), token);
      if (earlier != null) {
        return done(copyAnswer(earlier));
      }
    }
    long now = nanoTime.getAsLong();
    if (s.on(Rule.COPY_LIMITS)
        && images.copiesInProgress(call.account(), call.region(), now) >= s.maxConcurrentCopies()) {
      return done(
          Answer.ec2Error(
              400,
              "ResourceLimitExceeded",
              "You have reached the maximum number of concurrent AMI copies ("
                  + s.maxConcurrentCopies()
                  + ") for this Region."));
    }
    String source = form.get("SourceImageId");
    ImageTracker.Owner owner = source == null ? null : images.owner(source);
    boolean otherAccount = owner != null && !owner.account().equals(call.account());
    Map<String, String> imageTags = new LinkedHashMap<>();
    Map<String, String> snapshotTags = new LinkedHashMap<>();
    form.tagSpecifications()
        .forEach(
            (i, type) -> {
              Map<String, String> tags = form.tags("TagSpecification." + i + ".");
              if (type.equals("image")) {
                imageTags.putAll(tags);
              } else if (type.equals("snapshot")) {
                snapshotTags.putAll(tags);
              }
            });
    QueryForm toMoto = form.without(k -> k.startsWith("TagSpecification."));
    String name = form.get("Name");
    return withName(
        call,
        name,
        s,
        () ->
            (otherAccount ? copyOfOtherAccount(call, form, owner, s) : moto.forward(call, toMoto))
                .thenCompose(
                    a -> {
                      String copyId = a.ok() ? Xml.first(a.text(), "imageId") : null;
                      if (copyId == null) {
                        return done(a);
                      }
                      if (name != null) {
                        images.nameTaken(call.account(), call.region(), name, copyId);
                      }
                      images.owned(copyId, call.account(), call.region());
                      ImageTracker.Tracked drawn = track(copyId, null, s, nanoTime.getAsLong());
                      images.copyMade(
                          call.account(), call.region(), token, copyId, drawn.availableAt());
                      return keyUsable(call, form, s)
                          .thenCompose(
                              usable -> {
                                images.created(usable ? drawn : drawn.failing(KEY_NOT_ACCESSIBLE));
                                return tagImage(call, form, copyId, imageTags);
                              })
                          .thenCompose(
                              x ->
                                  snapshotTags.isEmpty()
                                      ? done(null)
                                      : tagSnapshots(call, form, copyId, snapshotTags))
                          .thenApply(x -> copyAnswer(copyId));
                    }));
  }

  /** What EC2 says of a copy whose KMS key the account cannot use. */
  static final String KEY_NOT_ACCESSIBLE =
      "Client.InvalidKMSKey.InvalidState: Given key ID is not accessible";

  /**
   * Whether the copy's KmsKeyId is a key the caller can use in the destination ({@link
   * Rule#COPY_KMS}): KMS DescribeKey as the caller finds it enabled. No key: true.
   */
  private CompletableFuture<Boolean> keyUsable(Call call, QueryForm form, RealismSettings s) {
    String key = form.get("KmsKeyId");
    if (!s.on(Rule.COPY_KMS) || key == null || call.accessKey() == null) {
      return done(true);
    }
    return moto.kmsCallAs(
            call.accessKey(),
            call.region(),
            "DescribeKey",
            "{\"KeyId\":\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}")
        .thenApply(
            a ->
                a.ok() && a.text().contains("\"KeyState\": \"Enabled\"")
                    || a.ok() && a.text().contains("\"KeyState\":\"Enabled\""));
  }

  /**
   * A copy of an image of another account, which moto cannot make: the source is read as its owner
   * (with an access key of the owner's the layer has seen), its sharing checked, and an image
   * registered in the caller's account and region (moto gives it a snapshot of its own there).
   */
  private CompletableFuture<Answer> copyOfOtherAccount(
      Call call, QueryForm form, ImageTracker.Owner owner, RealismSettings s) {
    String source = form.get("SourceImageId");
    String version = version(form);
    Answer notFound =
        Answer.ec2Error(
            400, "InvalidAMIID.NotFound", "The image id '[" + source + "]' does not exist");
    String ownerKey = accounts.keyOf(owner.account());
    if (ownerKey == null) {
      return done(notFound);
    }
    return moto.sideCallAs(
            ownerKey,
            owner.region(),
            QueryForm.of("DescribeImages", version).add("ImageId.1", source).encode())
        .thenCompose(
            described -> {
              if (!described.ok() || Xml.first(described.text(), "imageId") == null) {
                return done(notFound);
              }
              List<String> snapshots = Xml.all(described.text(), "snapshotId");
              CompletableFuture<Answer> allowed = done(null);
              if (s.on(Rule.COPY_SHARING)) {
                allowed = sharedWith(call.account(), ownerKey, owner, source, snapshots, version);
              }
              return allowed.thenCompose(
                  refused -> {
                    if (refused != null) {
                      return done(refused);
                    }
                    QueryForm register =
                        QueryForm.of("RegisterImage", version)
                            .add("Name", form.get("Name") == null ? source : form.get("Name"))
                            .add("RootDeviceName", "/dev/sda1")
                            .add("BlockDeviceMapping.1.DeviceName", "/dev/sda1")
                            .add("BlockDeviceMapping.1.Ebs.VolumeSize", "8")
                            .add("Architecture", "x86_64")
                            .add("VirtualizationType", "hvm");
                    if (form.get("Description") != null) {
                      register.add("Description", form.get("Description"));
                    }
                    return moto.sideCall(call, register.encode());
                  });
            });
  }

  /**
   * Null when the image is shared with {@code account} and so are its snapshots; else the error EC2
   * gives: the image is not visible to the account, or its storage is not.
   */
  private CompletableFuture<Answer> sharedWith(
      String account,
      String ownerKey,
      ImageTracker.Owner owner,
      String source,
      List<String> snapshots,
      String version) {
    CompletableFuture<Answer> check =
        moto.sideCallAs(
                ownerKey,
                owner.region(),
                QueryForm.of("DescribeImageAttribute", version)
                    .add("ImageId", source)
                    .add("Attribute", "launchPermission")
                    .encode())
            .thenApply(
                a ->
                    a.ok() && Xml.all(a.text(), "userId").contains(account)
                        ? null
                        : Answer.ec2Error(
                            400,
                            "InvalidAMIID.NotFound",
                            "The image id '[" + source + "]' does not exist"));
    for (String snapshot : snapshots) {
      check =
          check.thenCompose(
              refused ->
                  refused != null
                      ? done(refused)
                      : moto.sideCallAs(
                              ownerKey,
                              owner.region(),
                              QueryForm.of("DescribeSnapshotAttribute", version)
                                  .add("SnapshotId", snapshot)
                                  .add("Attribute", "createVolumePermission")
                                  .encode())
                          .thenApply(
                              a ->
                                  a.ok() && Xml.all(a.text(), "userId").contains(account)
                                      ? null
                                      : Answer.ec2Error(
                                          400,
                                          "InvalidRequest",
                                          "You do not have permission to access the storage of"
                                              + " this ami")));
    }
    return check;
  }

  private CompletableFuture<Void> tagImage(
      Call call, QueryForm form, String imageId, Map<String, String> tags) {
    if (tags.isEmpty()) {
      return done(null);
    }
    QueryForm createTags =
        QueryForm.of("CreateTags", version(form))
            .addList("ResourceId", List.of(imageId))
            .addTags(tags);
    return moto.sideCall(call, createTags.encode())
        .thenAccept(
            tagged -> {
              if (!tagged.ok()) {
                throw new IllegalStateException(
                    "tagging copy " + imageId + " failed: " + tagged.text());
              }
            });
  }

  private static String version(QueryForm form) {
    return form.get("Version") == null ? "2016-11-15" : form.get("Version");
  }

  private static Answer copyAnswer(String imageId) {
    return Answer.xml(
        200,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CopyImageResponse"
            + " xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>amifleet-layer</requestId>"
            + "<imageId>"
            + imageId
            + "</imageId></CopyImageResponse>");
  }

  /** Draws the image's times, from {@code now}: when moto made it. */
  private ImageTracker.Tracked track(
      String imageId, String instanceId, RealismSettings s, long now) {
    double draw;
    double failDraw;
    synchronized (random) {
      draw = random.nextDouble();
      failDraw = random.nextDouble();
    }
    long pendingNanos = 0;
    if (s.on(Rule.PENDING_IMAGES)) {
      long min = s.pendingMin().toNanos();
      long max = s.pendingMax().toNanos();
      pendingNanos = (long) ((min + draw * (max - min)) * s.timeScale());
    }
    boolean fails =
        s.on(Rule.PENDING_IMAGES)
            && (failDraw < s.failedShare()
                || (instanceId != null && s.failingInstances().contains(instanceId)));
    long visibleAt = s.on(Rule.CONSISTENCY) ? now + s.consistencyWindow().toNanos() : now;
    return new ImageTracker.Tracked(imageId, visibleAt, now + pendingNanos, fails);
  }

  private CompletableFuture<Void> tagSnapshots(
      Call call, QueryForm form, String imageId, Map<String, String> tags) {
    String version = form.get("Version") == null ? "2016-11-15" : form.get("Version");
    return moto.sideCall(call, "Action=DescribeImages&Version=" + version + "&ImageId.1=" + imageId)
        .thenCompose(
            described -> {
              List<String> snapshots =
                  described.ok() ? Xml.all(described.text(), "snapshotId") : List.of();
              if (snapshots.isEmpty()) {
                return CompletableFuture.completedFuture(null);
              }
              QueryForm createTags =
                  QueryForm.of("CreateTags", version)
                      .addList("ResourceId", snapshots)
                      .addTags(tags);
              return moto.sideCall(call, createTags.encode())
                  .thenAccept(
                      tagged -> {
                        if (!tagged.ok()) {
                          throw new IllegalStateException(
                              "tagging the snapshots of " + imageId + " failed: " + tagged.text());
                        }
                      });
            });
  }

  private CompletableFuture<Answer> describeImages(Call call, QueryForm form, RealismSettings s) {
    boolean consistency = s.on(Rule.CONSISTENCY);
    boolean pending = s.on(Rule.PENDING_IMAGES);
    if ((!consistency && !pending) || !images.tracksAny()) {
      return moto.forward(call);
    }
    long now = nanoTime.getAsLong();
    if (consistency) {
      List<String> unknown = images.invisible(form.list("ImageId"), now);
      if (!unknown.isEmpty()) {
        return done(
            Answer.ec2Error(
                400,
                "InvalidAMIID.NotFound",
                "The image id '[" + String.join(", ", unknown) + "]' does not exist"));
      }
    }
    List<String> stateValues = form.filters().get("state");
    Set<String> stateFilter = stateValues == null ? null : Set.copyOf(stateValues);
    CompletableFuture<Answer> answer =
        stateFilter == null ? moto.forward(call) : moto.forward(call, form.withoutFilter("state"));
    return answer.thenApply(
        a ->
            a.ok()
                ? a.withText(
                    images.rewriteDescribeImages(a.text(), stateFilter, now, consistency, pending))
                : a);
  }

  /**
   * EnableImageDeprecation / DisableImageDeprecation of an image the caller can describe
   * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableImageDeprecation.html):
   * DeprecateAt is rounded to the nearest minute and may be neither in the past nor more than 10
   * years ahead.
   */
  private CompletableFuture<Answer> deprecation(Call call, QueryForm form) {
    String imageId = form.get("ImageId");
    boolean enable = form.action().equals("EnableImageDeprecation");
    Instant at;
    if (enable) {
      try {
        at = Instant.parse(String.valueOf(form.get("DeprecateAt")));
      } catch (DateTimeParseException e) {
        return done(
            Answer.ec2Error(
                400,
                "InvalidParameterValue",
                "DeprecateAt is not a date: " + form.get("DeprecateAt")));
      }
      at = at.plusSeconds(30).truncatedTo(ChronoUnit.MINUTES);
      Instant now = Instant.now();
      if (at.isBefore(now.truncatedTo(ChronoUnit.MINUTES))
          || at.isAfter(now.plus(Duration.ofDays(3653)))) {
        return done(
            Answer.ec2Error(
                400,
                "InvalidParameterValue",
                "DeprecateAt must be in the future and at most 10 years from now."));
      }
    } else {
      at = null;
    }
    String version = form.get("Version") == null ? "2016-11-15" : form.get("Version");
    Instant when = at;
    return moto.sideCall(call, "Action=DescribeImages&Version=" + version + "&ImageId.1=" + imageId)
        .thenApply(
            described -> {
              if (!described.ok()) {
                return described;
              }
              if (Xml.first(described.text(), "imageId") == null) {
                return Answer.ec2Error(
                    400,
                    "InvalidAMIID.NotFound",
                    "The image id '[" + imageId + "]' does not exist");
              }
              images.deprecation(
                  imageId, when == null ? null : DateTimeFormatter.ISO_INSTANT.format(when));
              return Answer.xml(
                  200,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<"
                      + form.action()
                      + "Response xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>"
                      + java.util.UUID.randomUUID()
                      + "</requestId><return>true</return></"
                      + form.action()
                      + "Response>");
            });
  }

  private static <T> CompletableFuture<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }
}
