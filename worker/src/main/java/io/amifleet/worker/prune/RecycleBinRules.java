package io.amifleet.worker.prune;

import io.amifleet.common.error.AwsErrors;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.rbin.RbinAsyncClient;
import software.amazon.awssdk.services.rbin.model.ListRulesResponse;
import software.amazon.awssdk.services.rbin.model.ResourceType;
import software.amazon.awssdk.services.rbin.model.RuleSummary;

/**
 * What the account's Recycle Bin does with what retention deletes: a retention rule for AMIs (or
 * for EBS snapshots) keeps a deregistered image (or a deleted snapshot) in the bin, billed, until
 * its retention period ends (https://docs.aws.amazon.com/ebs/latest/userguide/recycle-bin.html).
 * One ListRules per resource type, paginated. The answer is a note for the prune's report, never a
 * reason to keep an image: the bin changes what deletion frees, not whether an image is in use.
 * When the rules cannot be read (no {@code rbin:ListRules}, an endpoint without Recycle Bin), the
 * note says so instead. Stateless.
 */
final class RecycleBinRules {
  private RecycleBinRules() {}

  /** The notes for {@code region}: one per resource type with rules, or why none could be read. */
  static CompletableFuture<List<String>> notes(
      RbinAsyncClient rbin, String region, AtomicInteger calls) {
    CompletableFuture<List<RuleSummary>> images = rules(rbin, ResourceType.EC2_IMAGE, calls);
    CompletableFuture<List<RuleSummary>> snapshots = rules(rbin, ResourceType.EBS_SNAPSHOT, calls);
    return images
        .thenCombine(
            snapshots,
            (i, s) -> {
              List<String> notes = new ArrayList<>();
              if (!i.isEmpty()) {
                notes.add(note("deregistered AMIs", i, region));
              }
              if (!s.isEmpty()) {
                notes.add(note("deleted EBS snapshots", s, region));
              }
              return notes;
            })
        .exceptionally(
            e ->
                List.of(
                    "Recycle Bin rules not checked ("
                        + brief(AwsErrors.translate(e, "rbin:ListRules").getMessage())
                        + "): if the account has a retention rule for AMIs or EBS snapshots, what"
                        + " is deleted stays in the bin, and is billed, until the rule's retention"
                        + " period ends"));
  }

  /**
   * The first line of {@code message}, at most 200 characters: an endpoint without Recycle Bin may
   * answer with a whole HTML page.
   */
  static String brief(String message) {
    String line = message.lines().findFirst().orElse("").strip();
    return line.length() <= 200 ? line : line.substring(0, 200) + "...";
  }

  private static CompletableFuture<List<RuleSummary>> rules(
      RbinAsyncClient rbin, ResourceType type, AtomicInteger calls) {
    List<RuleSummary> all = new ArrayList<>();
    return page(rbin, type, null, all, calls).thenApply(x -> all);
  }

  private static CompletableFuture<Void> page(
      RbinAsyncClient rbin,
      ResourceType type,
      String token,
      List<RuleSummary> all,
      AtomicInteger calls) {
    calls.incrementAndGet();
    return rbin.listRules(b -> b.resourceType(type).nextToken(token))
        .thenCompose(
            (ListRulesResponse r) -> {
              all.addAll(r.rules());
              return r.nextToken() == null || r.nextToken().isEmpty()
                  ? CompletableFuture.completedFuture(null)
                  : page(rbin, type, r.nextToken(), all, calls);
            });
  }

  private static String note(String what, List<RuleSummary> rules, String region) {
    return "Recycle Bin in "
        + region
        + ": "
        + rules.stream()
            .map(
                r ->
                    "rule "
                        + r.identifier()
                        + (r.retentionPeriod() == null
                            ? ""
                            : " keeps "
                                + what
                                + " for "
                                + r.retentionPeriod().retentionPeriodValue()
                                + " "
                                + r.retentionPeriod()
                                    .retentionPeriodUnitAsString()
                                    .toLowerCase(Locale.ROOT)
                                    .replace("days", "day(s)")))
            .collect(Collectors.joining("; "))
        + " (billed while in the bin; a rule may cover only resources with its tags)";
  }
}
