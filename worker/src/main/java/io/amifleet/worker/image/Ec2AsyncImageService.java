package io.amifleet.worker.image;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.aws.Ec2Clients;
import io.amifleet.common.aws.RoleCredentials;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.common.message.Tags;
import io.amifleet.worker.throttle.MutationLimiter;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * {@link ImageService} over the SDK's async EC2 client, acting in the target account with
 * assumed-role credentials. Mutating calls pass the per-account+region {@link MutationLimiter}
 * first. Errors are translated here, where they enter the project. Thread-safe.
 *
 * <p>CreateImage is the one call the SDK must not retry blindly: it takes no client token
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateImage.html), so a retry after a
 * response lost on the network makes a second image, which EC2 refuses only by its name and only
 * once the first is visible. The SDK retries it only when EC2 answered that it was throttled (the
 * request was refused, not carried out); any other failure goes back to the job, whose next attempt
 * looks the image up by job ID (and, when the name is taken, by name) before creating. The other
 * mutations are safe to repeat: CreateTags sets the same tags again, and a DeregisterImage or
 * DeleteSnapshot retried after it succeeded finds nothing, which counts as done.
 */
public final class Ec2AsyncImageService implements ImageService {
  /**
   * EC2's guidance: describe at most 1,000 resources by ID per call
   * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImages.html); more are
   * asked for in several calls.
   */
  static final int MAX_IDS_PER_CALL = 1000;

  private static final Pattern AMI_ID = Pattern.compile("ami-[0-9a-f]+");

  /** What DeregisterImage answers for an image that is no longer registered. */
  private static final Set<String> GONE =
      Set.of("InvalidAMIID.NotFound", "InvalidAMIID.Unavailable");

  /**
   * Retries of CreateImage: throttling answers only (see the class comment), at most the standard
   * three attempts. One strategy serves every account's requests, so its retry quota (the circuit
   * breaker) is off: one throttled account must not use up the retries of the others.
   */
  static final RetryStrategy CREATE_IMAGE_RETRIES =
      DefaultRetryStrategy.standardStrategyBuilder()
          .retryOnException(AwsErrors::isThrottling)
          .treatAsThrottling(AwsErrors::isThrottling)
          .circuitBreakerEnabled(false)
          .build();

  /** Applies {@link #CREATE_IMAGE_RETRIES} to one request, leaving the client as it is. */
  private static final SdkPlugin NO_BLIND_RETRIES =
      config ->
          config.overrideConfiguration(
              ClientOverrideConfiguration.builder().retryStrategy(CREATE_IMAGE_RETRIES).build());

  private final RoleCredentials credentials;
  private final Ec2Clients clients;
  private final MutationLimiter limiter;

  @Inject
  public Ec2AsyncImageService(
      RoleCredentials credentials, Ec2Clients clients, MutationLimiter limiter) {
    this.credentials = requireNonNull(credentials, "credentials is null");
    this.clients = requireNonNull(clients, "clients is null");
    this.limiter = requireNonNull(limiter, "limiter is null");
  }

  @Override
  public CompletableFuture<Void> ready(Ec2Target target) {
    return credentials.ready(target.role()).thenApply(p -> null);
  }

  @Override
  public CompletableFuture<List<ImageInfo>> findByJobIds(Ec2Target target, List<String> jobIds) {
    return findImages(
        target,
        Filter.builder().name("tag:" + Tags.JOB_ID).values(jobIds).build(),
        "find images of " + jobIds.size() + " job(s)");
  }

  @Override
  public CompletableFuture<List<ImageInfo>> findByName(Ec2Target target, String name) {
    return findImages(
        target, Filter.builder().name("name").values(name).build(), "find image named " + name);
  }

  private CompletableFuture<List<ImageInfo>> findImages(
      Ec2Target target, Filter filter, String what) {
    return call(
        target,
        "DescribeImages (" + what + ")",
        () ->
            ec2(target)
                .describeImages(b -> b.owners("self").filters(filter))
                .thenApply(r -> r.images().stream().map(Ec2AsyncImageService::info).toList()));
  }

  @Override
  public CompletableFuture<Map<String, InstanceInfo>> instances(
      Ec2Target target, List<String> instanceIds) {
    return call(
        target,
        "DescribeInstances (" + instanceIds.size() + " instance(s))",
        () ->
            ec2(target)
                // A filter, not InstanceIds: one missing instance must not fail the whole batch.
                .describeInstances(
                    b ->
                        b.filters(Filter.builder().name("instance-id").values(instanceIds).build()))
                .thenApply(
                    r -> {
                      Map<String, InstanceInfo> byInstance = new LinkedHashMap<>();
                      r.reservations().stream()
                          .flatMap(res -> res.instances().stream())
                          .forEach(
                              i -> {
                                Map<String, String> tags = new LinkedHashMap<>();
                                i.tags().forEach(t -> tags.put(t.key(), t.value()));
                                List<String> devices =
                                    i.blockDeviceMappings().stream()
                                        .map(m -> m.deviceName())
                                        .toList();
                                byInstance.put(
                                    i.instanceId(),
                                    new InstanceInfo(tags, i.rootDeviceName(), devices));
                              });
                      return byInstance;
                    }));
  }

  @Override
  public CompletableFuture<String> createImage(Ec2Target target, ImageRequest request) {
    return limiter
        .acquire(target.accountRegion(), MutationLimiter.CREATE_IMAGE)
        .thenCompose(
            x ->
                call(
                    target,
                    "CreateImage " + request.instanceId(),
                    () ->
                        ec2(target)
                            .createImage(
                                b ->
                                    b.overrideConfiguration(o -> o.addPlugin(NO_BLIND_RETRIES))
                                        .instanceId(request.instanceId())
                                        .name(request.name())
                                        .description(request.description())
                                        .noReboot(request.noReboot())
                                        // Left out of the image: an empty NoDevice suppresses
                                        // the instance's mapping (BlockDeviceMapping, NoDevice:
                                        // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_BlockDeviceMapping.html).
                                        .applyMutation(
                                            m -> {
                                              if (!request.noDevices().isEmpty()) {
                                                m.blockDeviceMappings(noDevices(request));
                                              }
                                            })
                                        // The snapshots get their tags here too: no
                                        // CreateTags after the image is available.
                                        .tagSpecifications(
                                            TagSpecification.builder()
                                                .resourceType(ResourceType.IMAGE)
                                                .tags(tags(request.tags()))
                                                .build(),
                                            TagSpecification.builder()
                                                .resourceType(ResourceType.SNAPSHOT)
                                                .tags(tags(ImageTags.forSnapshots(request.tags())))
                                                .build()))
                            .thenApply(r -> r.imageId())));
  }

  @Override
  public CompletableFuture<Lookup> describe(Ec2Target target, Collection<String> imageIds) {
    List<String> ids = List.copyOf(imageIds);
    if (ids.size() <= MAX_IDS_PER_CALL) {
      return describeChunk(target, ids);
    }
    List<CompletableFuture<Lookup>> chunks = new ArrayList<>();
    for (int i = 0; i < ids.size(); i += MAX_IDS_PER_CALL) {
      chunks.add(describeChunk(target, ids.subList(i, Math.min(ids.size(), i + MAX_IDS_PER_CALL))));
    }
    return CompletableFuture.allOf(chunks.toArray(new CompletableFuture<?>[0]))
        .thenApply(
            x -> {
              List<ImageInfo> found = new ArrayList<>();
              Set<String> missing = new HashSet<>();
              for (CompletableFuture<Lookup> c : chunks) {
                found.addAll(c.join().images());
                missing.addAll(c.join().notFound());
              }
              return new Lookup(found, missing);
            });
  }

  private CompletableFuture<Lookup> describeChunk(Ec2Target target, List<String> imageIds) {
    return describeOnce(target, imageIds)
        .thenCompose(
            lookup -> {
              // EC2 fails the whole call when one ID is unknown; ask again without those.
              if (lookup.notFound().isEmpty()) {
                return CompletableFuture.completedFuture(lookup);
              }
              List<String> rest = new ArrayList<>(imageIds);
              rest.removeAll(lookup.notFound());
              if (rest.isEmpty()) {
                return CompletableFuture.completedFuture(lookup);
              }
              return describeOnce(target, rest)
                  .thenApply(
                      second -> {
                        Set<String> missing = new HashSet<>(lookup.notFound());
                        missing.addAll(second.notFound());
                        return new Lookup(second.images(), missing);
                      });
            });
  }

  private CompletableFuture<Lookup> describeOnce(Ec2Target target, List<String> imageIds) {
    String context = "DescribeImages in " + target;
    return ec2(target)
        .describeImages(b -> b.imageIds(imageIds))
        .handle(
            (r, error) -> {
              if (error == null) {
                List<ImageInfo> images =
                    r.images().stream().map(Ec2AsyncImageService::info).toList();
                Set<String> returned = new HashSet<>();
                images.forEach(i -> returned.add(i.imageId()));
                Set<String> missing = new HashSet<>(imageIds);
                missing.removeAll(returned);
                return new Lookup(images, missing);
              }
              if ("InvalidAMIID.NotFound".equals(AwsErrors.errorCodeOf(error))) {
                Set<String> missing = new HashSet<>();
                Matcher m = AMI_ID.matcher(String.valueOf(AwsErrors.unwrap(error).getMessage()));
                while (m.find()) {
                  if (imageIds.contains(m.group())) {
                    missing.add(m.group());
                  }
                }
                if (!missing.isEmpty()) {
                  return new Lookup(List.of(), missing);
                }
              }
              throw AwsErrors.translate(error, context);
            });
  }

  @Override
  public CompletableFuture<List<ImageInfo>> ownedImages(Ec2Target target) {
    return call(
        target,
        "DescribeImages (owned)",
        () -> {
          List<ImageInfo> all = Collections.synchronizedList(new ArrayList<>());
          return ec2(target)
              .describeImagesPaginator(b -> b.owners("self").maxResults(1000))
              .images()
              .subscribe(i -> all.add(info(i)))
              .thenApply(x -> List.copyOf(all));
        });
  }

  @Override
  public CompletableFuture<List<SnapshotInfo>> managedSnapshots(Ec2Target target) {
    return call(
        target,
        "DescribeSnapshots (managed)",
        () -> {
          List<SnapshotInfo> all = Collections.synchronizedList(new ArrayList<>());
          return ec2(target)
              .describeSnapshotsPaginator(
                  b ->
                      b.ownerIds("self")
                          .filters(
                              Filter.builder().name("tag:" + Tags.MANAGED).values("true").build())
                          .maxResults(1000))
              .snapshots()
              .subscribe(
                  s -> {
                    Map<String, String> tags = new LinkedHashMap<>();
                    s.tags().forEach(t -> tags.put(t.key(), t.value()));
                    all.add(
                        new SnapshotInfo(s.snapshotId(), tags, s.description(), s.volumeSize()));
                  })
              .thenApply(x -> List.copyOf(all));
        });
  }

  @Override
  public CompletableFuture<Void> deleteSnapshot(Ec2Target target, String snapshotId) {
    return limiter
        .acquire(target.accountRegion(), "DeleteSnapshot")
        .thenCompose(
            x ->
                call(
                    target,
                    "DeleteSnapshot " + snapshotId,
                    () ->
                        ec2(target)
                            .deleteSnapshot(b -> b.snapshotId(snapshotId))
                            .thenApply(r -> null)));
  }

  @Override
  public CompletableFuture<Void> deprecate(Ec2Target target, String imageId, Instant at) {
    return limiter
        .acquire(target.accountRegion(), "EnableImageDeprecation")
        .thenCompose(
            x ->
                call(
                    target,
                    "EnableImageDeprecation " + imageId,
                    () ->
                        ec2(target)
                            .enableImageDeprecation(b -> b.imageId(imageId).deprecateAt(at))
                            .thenApply(r -> null)));
  }

  @Override
  public CompletableFuture<Void> deregister(Ec2Target target, String imageId) {
    return limiter
        .acquire(target.accountRegion(), "DeregisterImage")
        .thenCompose(
            x ->
                call(
                    target,
                    "DeregisterImage " + imageId,
                    () ->
                        ec2(target)
                            .deregisterImage(b -> b.imageId(imageId))
                            .handle(
                                (r, e) -> {
                                  // Gone already: an earlier attempt whose answer was lost, a
                                  // retry, or someone else. EC2 says NotFound, or Unavailable
                                  // while a deregistered image is still listed.
                                  if (e != null && !GONE.contains(AwsErrors.errorCodeOf(e))) {
                                    throw AwsErrors.translate(e, "DeregisterImage " + imageId);
                                  }
                                  return null;
                                })));
  }

  private Ec2AsyncClient ec2(Ec2Target target) {
    return clients.client(target.role(), target.region());
  }

  /**
   * Runs {@code call} (an SDK call for {@code target}) with its errors translated where they enter
   * the project, naming {@code what} and the target; also for the copy service's calls.
   */
  public static <T> CompletableFuture<T> call(
      Ec2Target target, String what, Supplier<CompletableFuture<T>> call) {
    CompletableFuture<T> f;
    try {
      f = call.get();
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    return f.handle(
        (v, e) -> {
          if (e != null) {
            throw AwsErrors.translate(e, what + " in " + target);
          }
          return v;
        });
  }

  private static List<BlockDeviceMapping> noDevices(ImageRequest request) {
    return request.noDevices().stream()
        .map(d -> BlockDeviceMapping.builder().deviceName(d).noDevice("").build())
        .toList();
  }

  private static List<Tag> tags(Map<String, String> tags) {
    return tags.entrySet().stream()
        .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
        .toList();
  }

  static ImageInfo info(Image image) {
    List<String> snapshots = new ArrayList<>();
    for (BlockDeviceMapping m : image.blockDeviceMappings()) {
      if (m.ebs() != null && m.ebs().snapshotId() != null) {
        snapshots.add(m.ebs().snapshotId());
      }
    }
    Map<String, String> tags = new LinkedHashMap<>();
    for (Tag t : image.tags()) {
      tags.put(t.key(), t.value());
    }
    String reason = image.stateReason() == null ? null : image.stateReason().message();
    return new ImageInfo(
        image.imageId(),
        image.name(),
        ImageState.of(image.stateAsString()),
        reason,
        snapshots,
        tags,
        image.creationDate(),
        image.description(),
        image.ownerId(),
        image.deprecationTime());
  }
}
