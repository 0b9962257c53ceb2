package io.amifleet.common.config;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.aws.AwsRuntime;
import io.amifleet.common.error.AwsErrors;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Where targets.yaml comes from: a local file, or {@code s3://bucket/key} (the scheduled dispatcher
 * of the hub stack reads it from S3 with the hub's credentials). Every failure is a configuration
 * error naming the file or object; an object larger than {@link TargetsLoader#MAX_BYTES} is refused
 * from its Content-Length, before its body is read.
 */
public final class TargetsSource {
  private final TargetsLoader loader;
  private final AwsRuntime runtime;

  @Inject
  public TargetsSource(TargetsLoader loader, AwsRuntime runtime) {
    this.loader = requireNonNull(loader, "loader is null");
    this.runtime = requireNonNull(runtime, "runtime is null");
  }

  public static boolean isS3(String ref) {
    return ref.startsWith("s3://");
  }

  public Targets load(String ref) {
    if (!isS3(ref)) {
      return loader.load(Path.of(ref));
    }
    URI uri = URI.create(ref);
    String bucket = uri.getHost();
    String key = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
    if (bucket == null || bucket.isBlank() || key.isBlank()) {
      throw new ConfigException(ref + ": expected s3://bucket/key");
    }
    var builder =
        runtime
            .configure(S3Client.builder(), RetryMode.STANDARD)
            .region(runtime.hubRegion())
            .httpClient(runtime.syncHttp());
    runtime.settings().hubCredentials().ifPresent(builder::credentialsProvider);
    if (runtime.settings().endpoint().isPresent()) {
      // Emulators serve buckets by path, not by virtual host.
      builder.forcePathStyle(true);
    }
    try (S3Client s3 = builder.build();
        ResponseInputStream<GetObjectResponse> object =
            s3.getObject(b -> b.bucket(bucket).key(key))) {
      // The size is known before the body is read: a large object is refused unread (the stream
      // is aborted, not drained), and a body longer than it said is cut at the cap.
      Long size = object.response().contentLength();
      if (size != null && size > TargetsLoader.MAX_BYTES) {
        object.abort();
        TargetsLoader.requireWithinCap(ref, size);
      }
      byte[] bytes = object.readNBytes(TargetsLoader.MAX_BYTES + 1);
      TargetsLoader.requireWithinCap(ref, bytes.length);
      return loader.parse(ref, TargetsLoader.utf8(ref, bytes));
    } catch (ConfigException e) {
      throw e;
    } catch (IOException e) {
      throw new ConfigException(ref + ": cannot read: " + e.getMessage());
    } catch (RuntimeException e) {
      throw new ConfigException(
          ref + ": cannot read: " + AwsErrors.translate(e, "GetObject").getMessage());
    }
  }
}
