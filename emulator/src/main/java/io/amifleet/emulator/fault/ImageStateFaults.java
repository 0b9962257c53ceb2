package io.amifleet.emulator.fault;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import java.util.function.Predicate;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.ec2.model.CreateImageRequest;
import software.amazon.awssdk.services.ec2.model.CreateImageResponse;
import software.amazon.awssdk.services.ec2.model.DescribeImagesResponse;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageState;
import software.amazon.awssdk.services.ec2.model.StateReason;

/**
 * Makes images behave as on real EC2, where moto makes them {@code available} at once: an image
 * created through this client stays {@code pending} for {@code pendingFor}, and images of instances
 * matching {@code fails} end {@code failed} with a state reason. Works by rewriting DescribeImages
 * responses. Thread-safe.
 */
public final class ImageStateFaults implements ExecutionInterceptor {
  private final Function<String, Duration> pendingFor;
  private final Predicate<String> fails;
  private final Clock clock;
  private final ConcurrentMap<String, Created> created = new ConcurrentHashMap<>();

  private record Created(String instanceId, Instant at) {}

  public ImageStateFaults(Duration pendingFor, Predicate<String> fails, Clock clock) {
    this(id -> pendingFor, fails, clock);
  }

  /** {@code pendingFor} gives each image (by ID) its own pending time. */
  public ImageStateFaults(
      Function<String, Duration> pendingFor, Predicate<String> fails, Clock clock) {
    this.pendingFor = pendingFor;
    this.fails = fails;
    this.clock = clock;
  }

  public static ImageStateFaults pendingFor(Duration pendingFor) {
    return new ImageStateFaults(pendingFor, id -> false, Clock.systemUTC());
  }

  /** Each image pending for its own time between {@code min} and {@code max} (by image ID hash). */
  public static ImageStateFaults pendingBetween(Duration min, Duration max) {
    long spread = Math.max(1, max.minus(min).toMillis());
    return new ImageStateFaults(
        id -> min.plusMillis(Math.floorMod(id.hashCode() * 2654435761L, spread)),
        id -> false,
        Clock.systemUTC());
  }

  public static ImageStateFaults failing(Predicate<String> instanceIds) {
    return new ImageStateFaults(Duration.ZERO, instanceIds, Clock.systemUTC());
  }

  @Override
  public SdkResponse modifyResponse(
      Context.ModifyResponse context, ExecutionAttributes attributes) {
    if (context.response() instanceof CreateImageResponse r
        && context.request() instanceof CreateImageRequest q) {
      created.put(r.imageId(), new Created(q.instanceId(), clock.instant()));
      return r;
    }
    if (context.response() instanceof DescribeImagesResponse r) {
      Instant now = clock.instant();
      List<Image> images = new ArrayList<>(r.images().size());
      for (Image image : r.images()) {
        images.add(rewrite(image, now));
      }
      return r.toBuilder().images(images).build();
    }
    return context.response();
  }

  private Image rewrite(Image image, Instant now) {
    Created c = created.get(image.imageId());
    if (c == null || image.state() != ImageState.AVAILABLE) {
      return image;
    }
    if (now.isBefore(c.at().plus(pendingFor.apply(image.imageId())))) {
      return image.toBuilder().state(ImageState.PENDING).build();
    }
    if (fails.test(c.instanceId())) {
      return image.toBuilder()
          .state(ImageState.FAILED)
          .stateReason(
              StateReason.builder()
                  .code("Client.InternalError")
                  .message("Client.InternalError: injected failure (test fault)")
                  .build())
          .build();
    }
    return image;
  }

  /** How many images this interceptor has seen created. */
  public int createdCount() {
    return created.size();
  }
}
