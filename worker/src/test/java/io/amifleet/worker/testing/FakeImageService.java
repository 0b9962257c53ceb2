package io.amifleet.worker.testing;

import io.amifleet.common.message.Tags;
import io.amifleet.worker.image.Ec2Target;
import io.amifleet.worker.image.ImageInfo;
import io.amifleet.worker.image.ImageRequest;
import io.amifleet.worker.image.ImageService;
import io.amifleet.worker.image.ImageState;
import io.amifleet.worker.image.InstanceInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * An in-memory EC2 of images per {@link Ec2Target}, answering the worker's {@link ImageService}
 * calls. Tests put images in, change their state, make an operation fail (for all targets or one),
 * hold an operation's answers back until they release them, and read back every call made.
 *
 * <p>Created images start in {@link #createdState} ({@code available} unless set: like moto). Like
 * EC2 and unlike moto, it can refuse a name already used in the target ({@link
 * #enforceUniqueNames}) and be eventually consistent: a new image can stay out of every look-up (by
 * job ID, by name, by ID) for a number of look-ups ({@link #lagLookups}). Images are owned by the
 * account of the target they are put in unless they say otherwise. Thread-safe: the image waiter
 * calls it from its timer thread.
 */
public final class FakeImageService implements ImageService {
  /** The operations of {@link ImageService}, for failing, holding and counting them. */
  public enum Operation {
    READY,
    FIND_BY_JOB_ID,
    FIND_BY_NAME,
    INSTANCE_TAGS,
    CREATE_IMAGE,
    DESCRIBE,
    DEREGISTER,
    OWNED_IMAGES,
    MANAGED_SNAPSHOTS,
    DELETE_SNAPSHOT,
    DEPRECATE
  }

  /** One call: the operation, where, and what it was about (image IDs, instance ID, ...). */
  public record Call(Operation operation, Ec2Target target, List<String> ids) {}

  /** A failure or a hold for one operation; {@code target} null means every target. */
  private record Key(Operation operation, Ec2Target target) {}

  private final Journal journal;
  private final Map<Ec2Target, Map<String, ImageInfo>> images = new HashMap<>();
  private final Map<Ec2Target, Map<String, SnapshotInfo>> snapshots = new HashMap<>();
  private final List<String> deletedSnapshots = new ArrayList<>();
  private final Set<String> hiddenFromJobIdLookup = new HashSet<>();
  private final Map<String, Map<String, String>> instanceTags = new HashMap<>();
  private final Map<String, List<String>> instanceDevices = new HashMap<>();
  private final Map<Key, Throwable> failures = new HashMap<>();
  private final Map<Key, CompletableFuture<Void>> holds = new HashMap<>();
  private final List<Call> calls = new ArrayList<>();
  private final List<ImageRequest> createRequests = new ArrayList<>();
  private final List<String> createdImageIds = new ArrayList<>();
  private final Map<String, Integer> lookupsHidden = new HashMap<>();
  private String createdState = "available";
  private boolean uniqueNames;
  private int createdLag;
  private int created;

  public FakeImageService() {
    this(new Journal());
  }

  /** Writes each call's operation name (e.g. {@code createImage}) to {@code journal}. */
  public FakeImageService(Journal journal) {
    this.journal = journal;
  }

  // ---- arranging --------------------------------------------------------------------------

  public synchronized FakeImageService put(Ec2Target target, ImageInfo image) {
    ImageInfo owned = image.ownerId() == null ? image.withOwner(target.accountId()) : image;
    images.computeIfAbsent(target, t -> new LinkedHashMap<>()).put(image.imageId(), owned);
    return this;
  }

  /** CreateImage with a name already used in the target fails with InvalidAMIName.Duplicate. */
  public synchronized void enforceUniqueNames() {
    uniqueNames = true;
  }

  /**
   * Images made from now on stay out of the next {@code lookups} look-ups that would have found
   * them (DescribeImages by job ID, by name or by ID), as EC2's DescribeImages lags behind
   * CreateImage.
   */
  public synchronized void lagLookups(int lookups) {
    createdLag = lookups;
  }

  /** {@code imageId}, there already, stays out of the next {@code lookups} that would find it. */
  public synchronized void hideFromLookups(String imageId, int lookups) {
    lookupsHidden.put(imageId, lookups);
  }

  /** Changes the state (and state reason) of an image already there. */
  public synchronized void setState(Ec2Target target, String imageId, String state, String reason) {
    ImageInfo old = images.get(target).get(imageId);
    put(
        target,
        new ImageInfo(
            imageId,
            old.name(),
            ImageState.of(state),
            reason,
            old.snapshotIds(),
            old.tags(),
            old.creationDate(),
            old.description(),
            old.ownerId()));
  }

  public synchronized ImageInfo image(Ec2Target target, String imageId) {
    return images.getOrDefault(target, Map.of()).get(imageId);
  }

  /**
   * The tag filter of DescribeImages does not see this image yet (EC2 is eventually consistent),
   * though a lookup by name or ID does.
   */
  public synchronized void hideFromJobIdLookup(String imageId) {
    hiddenFromJobIdLookup.add(imageId);
  }

  public synchronized void setInstanceTags(String instanceId, Map<String, String> tags) {
    instanceTags.put(instanceId, new LinkedHashMap<>(tags));
  }

  /** The instance's block-device mappings (root {@code /dev/sda1} is the default, alone). */
  public synchronized void setInstanceDevices(String instanceId, List<String> devices) {
    instanceDevices.put(instanceId, List.copyOf(devices));
  }

  /** The state images made by {@link #createImage} start in. */
  public synchronized void setCreatedState(String state) {
    createdState = state;
  }

  /** Makes every later call of {@code operation}, in any target, fail with {@code error}. */
  public synchronized void fail(Operation operation, Throwable error) {
    failures.put(new Key(operation, null), error);
  }

  /** Makes every later call of {@code operation} in {@code target} fail with {@code error}. */
  public synchronized void fail(Operation operation, Ec2Target target, Throwable error) {
    failures.put(new Key(operation, target), error);
  }

  /** Lets {@code operation} succeed again, in every target. */
  public synchronized void heal(Operation operation) {
    failures.keySet().removeIf(k -> k.operation() == operation);
  }

  /** Calls of {@code operation} (in any target) return futures that complete on release. */
  public synchronized void hold(Operation operation) {
    holds.putIfAbsent(new Key(operation, null), new CompletableFuture<>());
  }

  /** Calls of {@code operation} in {@code target} return futures that complete on release. */
  public synchronized void hold(Operation operation, Ec2Target target) {
    holds.putIfAbsent(new Key(operation, target), new CompletableFuture<>());
  }

  /** Answers the held calls of {@code operation} (from this thread) and stops holding. */
  public void release(Operation operation) {
    List<CompletableFuture<Void>> gates = new ArrayList<>();
    synchronized (this) {
      holds
          .entrySet()
          .removeIf(
              e -> {
                if (e.getKey().operation() == operation) {
                  gates.add(e.getValue());
                  return true;
                }
                return false;
              });
    }
    gates.forEach(g -> g.complete(null));
  }

  // ---- reading back -----------------------------------------------------------------------

  public synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  public synchronized long count(Operation operation) {
    return calls.stream().filter(c -> c.operation() == operation).count();
  }

  public synchronized long count(Operation operation, Ec2Target target) {
    return calls.stream()
        .filter(c -> c.operation() == operation && c.target().equals(target))
        .count();
  }

  /** The image IDs of each DescribeImages call in {@code target}, in order. */
  public synchronized List<List<String>> describeRequests(Ec2Target target) {
    return calls.stream()
        .filter(c -> c.operation() == Operation.DESCRIBE && c.target().equals(target))
        .map(Call::ids)
        .toList();
  }

  public synchronized List<ImageRequest> createRequests() {
    return List.copyOf(createRequests);
  }

  /** The IDs of the images {@link #createImage} made, in order. */
  public synchronized List<String> createdImageIds() {
    return List.copyOf(createdImageIds);
  }

  // ---- ImageService -----------------------------------------------------------------------

  @Override
  public CompletableFuture<Void> ready(Ec2Target target) {
    return call(Operation.READY, target, List.of(), () -> null);
  }

  @Override
  public CompletableFuture<List<ImageInfo>> findByJobIds(Ec2Target target, List<String> jobIds) {
    return call(
        Operation.FIND_BY_JOB_ID,
        target,
        List.copyOf(jobIds),
        () ->
            visible(
                imagesIn(target).stream()
                    .filter(i -> jobIds.contains(i.tags().get(Tags.JOB_ID)))
                    .filter(i -> !hiddenFromJobIdLookup.contains(i.imageId()))
                    .toList()));
  }

  @Override
  public CompletableFuture<List<ImageInfo>> findByName(Ec2Target target, String name) {
    return call(
        Operation.FIND_BY_NAME,
        target,
        List.of(name),
        () -> visible(imagesIn(target).stream().filter(i -> name.equals(i.name())).toList()));
  }

  @Override
  public CompletableFuture<Map<String, InstanceInfo>> instances(
      Ec2Target target, List<String> instanceIds) {
    return call(
        Operation.INSTANCE_TAGS,
        target,
        List.copyOf(instanceIds),
        () -> {
          Map<String, InstanceInfo> out = new HashMap<>();
          for (String id : instanceIds) {
            out.put(
                id,
                new InstanceInfo(
                    instanceTags.getOrDefault(id, Map.of()),
                    "/dev/sda1",
                    instanceDevices.getOrDefault(id, List.of("/dev/sda1"))));
          }
          return out;
        });
  }

  @Override
  public CompletableFuture<String> createImage(Ec2Target target, ImageRequest request) {
    synchronized (this) {
      createRequests.add(request);
    }
    return call(
        Operation.CREATE_IMAGE,
        target,
        List.of(request.instanceId()),
        () -> {
          if (uniqueNames
              && imagesIn(target).stream().anyMatch(i -> request.name().equals(i.name()))) {
            throw AwsFailures.translated(
                "InvalidAMIName.Duplicate",
                400,
                "CreateImage " + request.instanceId() + " in " + target);
          }
          created++;
          String id = String.format("ami-%017x", created);
          createdImageIds.add(id);
          put(
              target,
              new ImageInfo(
                  id,
                  request.name(),
                  ImageState.of(createdState),
                  null,
                  List.of(String.format("snap-%017x", created)),
                  request.tags(),
                  String.format("2026-11-28T02:%02d:00.000Z", created % 60),
                  request.description(),
                  target.accountId()));
          if (createdLag > 0) {
            lookupsHidden.put(id, createdLag);
          }
          return id;
        });
  }

  @Override
  public CompletableFuture<Lookup> describe(Ec2Target target, Collection<String> imageIds) {
    List<String> ids = List.copyOf(imageIds);
    return call(
        Operation.DESCRIBE,
        target,
        ids,
        () -> {
          List<ImageInfo> found = new ArrayList<>();
          Set<String> notFound = new HashSet<>();
          Map<String, ImageInfo> here = images.getOrDefault(target, Map.of());
          for (String id : ids) {
            if (here.containsKey(id) && !visible(List.of(here.get(id))).isEmpty()) {
              found.add(here.get(id));
            } else {
              notFound.add(id);
            }
          }
          return new Lookup(found, notFound);
        });
  }

  @Override
  public CompletableFuture<Void> deprecate(Ec2Target target, String imageId, java.time.Instant at) {
    return call(
        Operation.DEPRECATE,
        target,
        List.of(imageId),
        () -> {
          Map<String, ImageInfo> here = images.getOrDefault(target, new HashMap<>());
          ImageInfo image = here.get(imageId);
          if (image != null) {
            here.put(imageId, image.withDeprecationTime(at.toString()));
          }
          return null;
        });
  }

  @Override
  public CompletableFuture<Void> deregister(Ec2Target target, String imageId) {
    return call(
        Operation.DEREGISTER,
        target,
        List.of(imageId),
        () -> {
          images.getOrDefault(target, new HashMap<>()).remove(imageId);
          return null;
        });
  }

  @Override
  public CompletableFuture<List<ImageInfo>> ownedImages(Ec2Target target) {
    return call(Operation.OWNED_IMAGES, target, List.of(), () -> imagesIn(target));
  }

  @Override
  public CompletableFuture<List<SnapshotInfo>> managedSnapshots(Ec2Target target) {
    return call(
        Operation.MANAGED_SNAPSHOTS,
        target,
        List.of(),
        () -> List.copyOf(snapshots.getOrDefault(target, Map.of()).values()));
  }

  @Override
  public CompletableFuture<Void> deleteSnapshot(Ec2Target target, String snapshotId) {
    return call(
        Operation.DELETE_SNAPSHOT,
        target,
        List.of(snapshotId),
        () -> {
          snapshots.getOrDefault(target, new HashMap<>()).remove(snapshotId);
          deletedSnapshots.add(snapshotId);
          return null;
        });
  }

  /** Adds a snapshot tagged like amifleet tags its images' snapshots. */
  public synchronized FakeImageService putSnapshot(Ec2Target target, SnapshotInfo snapshot) {
    snapshots
        .computeIfAbsent(target, t -> new LinkedHashMap<>())
        .put(snapshot.snapshotId(), snapshot);
    return this;
  }

  public synchronized List<String> deletedSnapshots() {
    return List.copyOf(deletedSnapshots);
  }

  /** {@code found} less the images still lagging; each of those counts one look-up down. */
  private List<ImageInfo> visible(List<ImageInfo> found) {
    List<ImageInfo> out = new ArrayList<>();
    for (ImageInfo i : found) {
      int hidden = lookupsHidden.getOrDefault(i.imageId(), 0);
      if (hidden > 0) {
        lookupsHidden.put(i.imageId(), hidden - 1);
      } else {
        out.add(i);
      }
    }
    return out;
  }

  private List<ImageInfo> imagesIn(Ec2Target target) {
    return List.copyOf(images.getOrDefault(target, Map.of()).values());
  }

  /**
   * Records the call, waits for a hold on it to be released, then fails it when told to or answers
   * with {@code answer} (run under this object's monitor).
   */
  private <T> CompletableFuture<T> call(
      Operation operation, Ec2Target target, List<String> ids, Supplier<T> answer) {
    CompletableFuture<Void> gate;
    synchronized (this) {
      calls.add(new Call(operation, target, List.copyOf(ids)));
      gate = holds.get(new Key(operation, target));
      if (gate == null) {
        gate =
            holds.getOrDefault(new Key(operation, null), CompletableFuture.completedFuture(null));
      }
    }
    journal.add(name(operation));
    return gate.thenApply(
        x -> {
          synchronized (this) {
            Throwable failure = failures.get(new Key(operation, target));
            if (failure == null) {
              failure = failures.get(new Key(operation, null));
            }
            if (failure instanceof RuntimeException e) {
              throw e;
            }
            if (failure != null) {
              throw new CompletionException(failure);
            }
            return answer.get();
          }
        });
  }

  private static String name(Operation operation) {
    return switch (operation) {
      case READY -> "ready";
      case FIND_BY_JOB_ID -> "findByJobId";
      case FIND_BY_NAME -> "findByName";
      case INSTANCE_TAGS -> "instanceTags";
      case CREATE_IMAGE -> "createImage";
      case DESCRIBE -> "describe";
      case DEREGISTER -> "deregister";
      case OWNED_IMAGES -> "ownedImages";
      case MANAGED_SNAPSHOTS -> "managedSnapshots";
      case DELETE_SNAPSHOT -> "deleteSnapshot";
      case DEPRECATE -> "deprecate";
    };
  }
}
