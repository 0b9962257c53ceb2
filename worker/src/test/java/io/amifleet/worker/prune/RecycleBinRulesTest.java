package io.amifleet.worker.prune;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.rbin.RbinAsyncClient;
import software.amazon.awssdk.services.rbin.model.ListRulesRequest;
import software.amazon.awssdk.services.rbin.model.ListRulesResponse;
import software.amazon.awssdk.services.rbin.model.RbinException;
import software.amazon.awssdk.services.rbin.model.ResourceType;
import software.amazon.awssdk.services.rbin.model.RetentionPeriod;
import software.amazon.awssdk.services.rbin.model.RetentionPeriodUnit;
import software.amazon.awssdk.services.rbin.model.RuleSummary;

/**
 * The Recycle Bin note of a prune. moto has no Recycle Bin, so the client here is a small fake of
 * the SDK interface answering ListRules from pages it is given (the one narrow place the SDK is
 * stood in for: the emulator-backed retention ITs see the "not checked" note).
 */
class RecycleBinRulesTest {
  /** Answers ListRules per resource type from its pages (the next token is the page number). */
  private static final class FakeRbin implements RbinAsyncClient {
    final Map<ResourceType, List<List<RuleSummary>>> pages;
    final RuntimeException failure;
    final List<ListRulesRequest> requests = new ArrayList<>();

    FakeRbin(Map<ResourceType, List<List<RuleSummary>>> pages, RuntimeException failure) {
      this.pages = pages;
      this.failure = failure;
    }

    @Override
    public CompletableFuture<ListRulesResponse> listRules(ListRulesRequest request) {
      requests.add(request);
      if (failure != null) {
        return CompletableFuture.failedFuture(failure);
      }
      List<List<RuleSummary>> of = pages.getOrDefault(request.resourceType(), List.of(List.of()));
      int page = request.nextToken() == null ? 0 : Integer.parseInt(request.nextToken());
      return CompletableFuture.completedFuture(
          ListRulesResponse.builder()
              .rules(of.get(page))
              .nextToken(page + 1 < of.size() ? String.valueOf(page + 1) : null)
              .build());
    }

    @Override
    public String serviceName() {
      return "rbin";
    }

    @Override
    public void close() {}
  }

  private static RuleSummary rule(String id, int days) {
    return RuleSummary.builder()
        .identifier(id)
        .retentionPeriod(
            RetentionPeriod.builder()
                .retentionPeriodValue(days)
                .retentionPeriodUnit(RetentionPeriodUnit.DAYS)
                .build())
        .build();
  }

  @Test
  void aRuleForAmisIsSaidWithItsRetentionEveryPageRead() throws Exception {
    FakeRbin rbin =
        new FakeRbin(
            Map.of(
                ResourceType.EC2_IMAGE,
                List.of(List.of(rule("ami-rule-1", 7)), List.of(rule("ami-rule-2", 30)))),
            null);
    AtomicInteger calls = new AtomicInteger();

    List<String> notes = RecycleBinRules.notes(rbin, "eu-west-1", calls).get(5, SECONDS);

    assertThat(notes)
        .containsExactly(
            "Recycle Bin in eu-west-1: rule ami-rule-1 keeps deregistered AMIs for 7 day(s); rule"
                + " ami-rule-2 keeps deregistered AMIs for 30 day(s) (billed while in the bin; a"
                + " rule may cover only resources with its tags)");
    assertThat(calls.get()).as("two pages of AMI rules, one of snapshot rules").isEqualTo(3);
    assertThat(rbin.requests)
        .extracting(ListRulesRequest::resourceType)
        .containsOnly(ResourceType.EC2_IMAGE, ResourceType.EBS_SNAPSHOT);
  }

  @Test
  void anAccountWithoutRulesGetsNoNote() throws Exception {
    FakeRbin rbin = new FakeRbin(Map.of(), null);

    assertThat(RecycleBinRules.notes(rbin, "us-east-1", new AtomicInteger()).get(5, SECONDS))
        .isEmpty();
  }

  @Test
  void rulesThatCannotBeReadAreSaidNotChecked() throws Exception {
    RbinException denied =
        (RbinException)
            RbinException.builder()
                .statusCode(400)
                .message("User is not authorized to perform: rbin:ListRules")
                .awsErrorDetails(
                    AwsErrorDetails.builder()
                        .errorCode("AccessDeniedException")
                        .errorMessage("User is not authorized to perform: rbin:ListRules")
                        .build())
                .build();
    FakeRbin rbin = new FakeRbin(Map.of(), denied);

    List<String> notes =
        RecycleBinRules.notes(rbin, "us-east-1", new AtomicInteger()).get(5, SECONDS);

    assertThat(notes).hasSize(1);
    assertThat(notes.get(0))
        .startsWith("Recycle Bin rules not checked (")
        .contains("AccessDenied")
        .endsWith("until the rule's retention period ends");
  }

  @Test
  void anHtmlPageInsteadOfAnErrorIsCutToItsFirstLine() {
    assertThat(RecycleBinRules.brief("rbin:ListRules: 500: <!doctype html>\n<html>...</html>"))
        .isEqualTo("rbin:ListRules: 500: <!doctype html>");
    assertThat(RecycleBinRules.brief("x".repeat(300))).hasSize(203);
  }
}
