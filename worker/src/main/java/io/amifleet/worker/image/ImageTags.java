package io.amifleet.worker.image;

import io.amifleet.common.message.Consistency;
import io.amifleet.common.message.Identifiers;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.Tags;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tags of an image and its snapshots: amifleet's own five first (they make adoption and
 * retention work, so they always fit), then the job's configured tags, then, when asked, the
 * instance's own tags, up to EC2's 50 per resource. Tags under {@code aws:} (in any case) cannot be
 * set and are never copied.
 */
public final class ImageTags {
  private ImageTags() {}

  /** The tags of an image made without hooks ({@code crash} or {@code reboot} consistency). */
  public static Map<String, String> of(JobMessage job, Map<String, String> instanceTags) {
    return of(job, instanceTags, Consistency.withoutHooks(job.reboot()));
  }

  public static Map<String, String> of(
      JobMessage job, Map<String, String> instanceTags, Consistency consistency) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(Tags.JOB_ID, job.jobId());
    tags.put(Tags.RUN_ID, job.runId());
    tags.put(Tags.SOURCE_INSTANCE, job.instanceId());
    tags.put(Tags.MANAGED, "true");
    tags.put(Tags.CONSISTENCY, consistency.written());
    job.tags().forEach(tags::putIfAbsent);
    for (Map.Entry<String, String> e : instanceTags.entrySet()) {
      if (tags.size() >= Identifiers.MAX_TAGS) {
        break;
      }
      String key = e.getKey();
      if (Tags.isReserved(key)) {
        continue;
      }
      tags.putIfAbsent(key, e.getValue());
    }
    return tags;
  }

  /**
   * The tags to put on an image's snapshots (in CreateImage's TagSpecifications, so they are there
   * from the start): the image's own, minus reserved ones. Retention finds snapshots by them.
   */
  public static Map<String, String> forSnapshots(Map<String, String> imageTags) {
    Map<String, String> tags = new LinkedHashMap<>();
    imageTags.forEach(
        (k, v) -> {
          if (!Tags.isAwsReserved(k)) {
            tags.put(k, v);
          }
        });
    return tags;
  }
}
