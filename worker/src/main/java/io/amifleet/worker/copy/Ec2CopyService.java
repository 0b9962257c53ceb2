package io.amifleet.worker.copy;

import static io.amifleet.worker.image.Ec2AsyncImageService.call;
import static java.util.Objects.requireNonNull;

import io.amifleet.common.aws.Ec2Clients;
import io.amifleet.worker.image.Ec2Target;
import io.amifleet.worker.image.ImageTags;
import io.amifleet.worker.throttle.MutationLimiter;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;
import software.amazon.awssdk.services.ec2.model.OperationType;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * {@link CopyService} over the SDK's async EC2 client, acting with the destination's (or the
 * source's) assumed-role credentials. CopyImage passes the per-destination {@link MutationLimiter}
 * bucket first (EC2's CopyImage bucket: 100 burst, 1/s per account+region). Thread-safe.
 *
 * <p>CopyImage may be retried by the SDK as any call: its ClientToken makes a retry after a lost
 * answer return the same copy
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CopyImage.html, ClientToken).
 * CopyImageTags is not used: the source's tags are passed in TagSpecifications instead, with
 * amifleet's own, because a vault copy gets no tags across accounts and the same tags must find
 * both kinds of copy.
 */
public final class Ec2CopyService implements CopyService {
  private final Ec2Clients clients;
  private final MutationLimiter limiter;

  @Inject
  public Ec2CopyService(Ec2Clients clients, MutationLimiter limiter) {
    this.clients = requireNonNull(clients, "clients is null");
    this.limiter = requireNonNull(limiter, "limiter is null");
  }

  @Override
  public CompletableFuture<String> copyImage(Ec2Target destination, CopyCall call) {
    return limiter
        .acquire(destination.accountRegion(), MutationLimiter.COPY_IMAGE)
        .thenCompose(
            x ->
                call(
                    destination,
                    "CopyImage " + call.sourceImageId() + " from " + call.sourceRegion(),
                    () ->
                        clients
                            .client(destination.role(), destination.region())
                            .copyImage(
                                b -> {
                                  b.sourceImageId(call.sourceImageId())
                                      .sourceRegion(call.sourceRegion())
                                      .name(call.name())
                                      .description(call.description())
                                      .clientToken(call.clientToken())
                                      .tagSpecifications(
                                          spec(ResourceType.IMAGE, call.tags()),
                                          spec(
                                              ResourceType.SNAPSHOT,
                                              ImageTags.forSnapshots(call.tags())));
                                  call.kmsKeyId().ifPresent(k -> b.encrypted(true).kmsKeyId(k));
                                })
                            .thenApply(r -> r.imageId())));
  }

  @Override
  public CompletableFuture<Void> share(
      Ec2Target source, String imageId, List<String> snapshotIds, String account) {
    return permissions(source, imageId, snapshotIds, account, OperationType.ADD);
  }

  @Override
  public CompletableFuture<Void> unshare(
      Ec2Target source, String imageId, List<String> snapshotIds, String account) {
    return permissions(source, imageId, snapshotIds, account, OperationType.REMOVE);
  }

  /**
   * The image's launch permission, then each snapshot's createVolumePermission, for {@code account}
   * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-explicit.html: a copy needs
   * both).
   */
  private CompletableFuture<Void> permissions(
      Ec2Target source,
      String imageId,
      List<String> snapshotIds,
      String account,
      OperationType operation) {
    String verb = operation == OperationType.ADD ? "share" : "unshare";
    var ec2 = clients.client(source.role(), source.region());
    CompletableFuture<Void> chain =
        call(
            source,
            "ModifyImageAttribute (" + verb + " " + imageId + " with " + account + ")",
            () ->
                ec2.modifyImageAttribute(
                        b ->
                            b.imageId(imageId)
                                .launchPermission(
                                    p -> {
                                      if (operation == OperationType.ADD) {
                                        p.add(LaunchPermission.builder().userId(account).build());
                                      } else {
                                        p.remove(
                                            LaunchPermission.builder().userId(account).build());
                                      }
                                    }))
                    .thenApply(r -> null));
    for (String snapshot : snapshotIds) {
      chain =
          chain.thenCompose(
              x ->
                  call(
                      source,
                      "ModifySnapshotAttribute ("
                          + verb
                          + " "
                          + snapshot
                          + " with "
                          + account
                          + ")",
                      () ->
                          ec2.modifySnapshotAttribute(
                                  b ->
                                      b.snapshotId(snapshot)
                                          .attribute("createVolumePermission")
                                          .operationType(operation)
                                          .userIds(account))
                              .thenApply(r -> null)));
    }
    return chain;
  }

  private static TagSpecification spec(ResourceType type, Map<String, String> tags) {
    return TagSpecification.builder()
        .resourceType(type)
        .tags(
            tags.entrySet().stream()
                .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
                .toList())
        .build();
  }
}
