package io.amifleet.dispatcher.resolve;

import static io.amifleet.dispatcher.testing.TestAccounts.account;
import static io.amifleet.dispatcher.testing.TestAccounts.instance;
import static io.amifleet.dispatcher.testing.TestAccounts.running;
import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.config.AccountTarget;
import io.amifleet.common.config.Selector;
import io.amifleet.common.config.Targets;
import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.ErrorKind;
import io.amifleet.dispatcher.testing.FakeInstanceFinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TargetResolverTest {
  private static final String WEB = "111111111111";
  private static final String DATA = "222222222222";
  private static final String OPS = "333333333333";
  private static final List<String> REGIONS = List.of("us-east-1", "eu-west-1", "ap-south-1");

  private final FakeInstanceFinder finder = new FakeInstanceFinder(Duration.ofMillis(5));

  @AfterEach
  void closeFinder() {
    finder.close();
  }

  private static Targets targets(AccountTarget... accounts) {
    return new Targets("targets.yaml", List.of(accounts));
  }

  private List<AccountResolution> resolve(int parallelism, AccountTarget... accounts) {
    return new TargetResolver(finder, parallelism).resolve(targets(accounts));
  }

  private static Selector byTag() {
    return Selector.byTags(Map.of("Environment", List.of("production")));
  }

  private static AmiFleetException accessDenied(String account) {
    return new AmiFleetException(
        ErrorKind.PERMANENT,
        "AccessDenied",
        "DescribeInstances in " + account + "/eu-west-1: AccessDenied: not authorized");
  }

  @Test
  void everyRegionOfEveryAccountIsSearched() {
    finder
        .answer(WEB, "us-east-1", running("i-00000001", "us-east-1"))
        .answer(DATA, "ap-south-1", running("i-00000002", "ap-south-1"));

    List<AccountResolution> resolved =
        resolve(4, account(WEB, REGIONS, byTag()), account(DATA, REGIONS, byTag()));

    assertThat(finder.searches())
        .containsExactlyInAnyOrder(
            WEB + "/us-east-1",
            WEB + "/eu-west-1",
            WEB + "/ap-south-1",
            DATA + "/us-east-1",
            DATA + "/eu-west-1",
            DATA + "/ap-south-1");
    assertThat(resolved).extracting(r -> r.account().id()).containsExactly(WEB, DATA);
    assertThat(resolved.get(0).instances())
        .extracting(FoundInstance::instanceId)
        .containsExactly("i-00000001");
    assertThat(resolved.get(1).instances())
        .extracting(FoundInstance::instanceId)
        .containsExactly("i-00000002");
    assertThat(resolved).noneMatch(AccountResolution::hasProblems);
  }

  @Test
  void accountThatCannotBeSearchedIsReportedAndOthersAreStillResolved() {
    finder
        .answer(WEB, "us-east-1", running("i-00000001", "us-east-1"))
        .answer(DATA, "us-east-1", running("i-00000002", "us-east-1"))
        .fail(DATA, "eu-west-1", accessDenied(DATA))
        .answer(OPS, "eu-west-1", running("i-00000003", "eu-west-1"));
    List<String> regions = List.of("us-east-1", "eu-west-1");

    List<AccountResolution> resolved =
        resolve(
            2,
            account(WEB, regions, byTag()),
            account(DATA, regions, byTag()),
            account(OPS, regions, byTag()));

    AccountResolution data = resolved.get(1);
    assertThat(data.errors())
        .containsExactly(
            "DescribeInstances in " + DATA + "/eu-west-1: AccessDenied: not authorized");
    assertThat(data.hasProblems()).isTrue();
    assertThat(data.instances())
        .extracting(FoundInstance::instanceId)
        .containsExactly("i-00000002");
    assertThat(resolved.get(0).instances())
        .extracting(FoundInstance::instanceId)
        .containsExactly("i-00000001");
    assertThat(resolved.get(2).instances())
        .extracting(FoundInstance::instanceId)
        .containsExactly("i-00000003");
    assertThat(resolved.get(0).errors()).isEmpty();
    assertThat(resolved.get(2).errors()).isEmpty();
  }

  @Test
  void listedInstancesFoundNowhereAreReportedMissing() {
    finder
        .answer(WEB, "us-east-1", running("i-00000001", "us-east-1"))
        .answer(WEB, "eu-west-1", running("i-00000002", "eu-west-1"));
    Selector ids = Selector.byIds(List.of("i-00000001", "i-00000002", "i-00000003"));

    AccountResolution web = resolve(2, account(WEB, List.of("us-east-1", "eu-west-1"), ids)).get(0);

    assertThat(web.missing()).containsExactly("i-00000003");
    assertThat(web.instances())
        .extracting(FoundInstance::instanceId)
        .containsExactly("i-00000001", "i-00000002");
  }

  @Test
  void listedInstancesAreNotReportedMissingWhenARegionCouldNotBeSearched() {
    finder
        .answer(WEB, "us-east-1", running("i-00000001", "us-east-1"))
        .fail(WEB, "eu-west-1", accessDenied(WEB));
    Selector ids = Selector.byIds(List.of("i-00000001", "i-00000002"));

    AccountResolution web = resolve(2, account(WEB, List.of("us-east-1", "eu-west-1"), ids)).get(0);

    assertThat(web.errors()).hasSize(1);
    assertThat(web.missing()).isEmpty();
  }

  @Test
  void listedInstancesInAStateNotSelectedAreSkipped() {
    finder.answer(
        WEB,
        "us-east-1",
        running("i-00000001", "us-east-1"),
        instance("i-00000002", "us-east-1", "stopping"),
        instance("i-00000003", "us-east-1", "terminated"),
        instance("i-00000004", "us-east-1", "stopped"));
    Selector ids = Selector.byIds(List.of("i-00000001", "i-00000002", "i-00000003", "i-00000004"));

    AccountResolution web = resolve(2, account(WEB, List.of("us-east-1"), ids)).get(0);

    assertThat(web.instances())
        .extracting(FoundInstance::instanceId)
        .containsExactly("i-00000001", "i-00000004");
    assertThat(web.skipped())
        .extracting(FoundInstance::instanceId)
        .containsExactly("i-00000002", "i-00000003");
    assertThat(web.missing()).isEmpty();
    assertThat(web.hasProblems()).isTrue();
  }

  @Test
  void instanceReturnedByTwoQueriesIsCountedOnce() {
    // once for its tag, once for its listed ID
    finder.answer(
        WEB,
        "us-east-1",
        running("i-00000001", "us-east-1"),
        running("i-00000002", "us-east-1"),
        running("i-00000001", "us-east-1"));
    Selector both =
        new Selector(
            false,
            List.of("i-00000001"),
            Map.of("Environment", List.of("production")),
            Selector.DEFAULT_STATES);

    AccountResolution web = resolve(2, account(WEB, List.of("us-east-1"), both)).get(0);

    assertThat(web.instances())
        .extracting(FoundInstance::instanceId)
        .containsExactly("i-00000001", "i-00000002");
  }

  @Test
  void noMoreSearchesThanTheParallelismRunAtOnce() {
    try (FakeInstanceFinder slow = new FakeInstanceFinder(Duration.ofMillis(40))) {
      List<AccountTarget> accounts =
          List.of(
              account(WEB, List.of("us-east-1", "eu-west-1"), byTag()),
              account(DATA, List.of("us-east-1", "eu-west-1"), byTag()),
              account(OPS, List.of("us-east-1", "eu-west-1"), byTag()));

      List<AccountResolution> resolved =
          new TargetResolver(slow, 2).resolve(new Targets("targets.yaml", accounts));

      assertThat(slow.searches()).hasSize(6);
      assertThat(slow.maxInFlight()).isEqualTo(2);
      assertThat(resolved).hasSize(3);
    }
  }

  @Test
  void anAccountsResultIsReadyWhileAnotherAccountIsStillSearched() throws Exception {
    finder
        .answer(WEB, "us-east-1", running("i-00000001", "us-east-1"))
        .answer(DATA, "us-east-1", running("i-00000002", "us-east-1"));
    CompletableFuture<Void> dataAnswers = finder.hold(DATA, "us-east-1");

    List<CompletableFuture<AccountResolution>> searches =
        new TargetResolver(finder, 4)
            .search(
                targets(
                    account(DATA, List.of("us-east-1"), byTag()),
                    account(WEB, List.of("us-east-1", "eu-west-1"), byTag())));

    AccountResolution web = searches.get(1).get(5, TimeUnit.SECONDS);
    assertThat(web.instances()).extracting(FoundInstance::instanceId).containsExactly("i-00000001");
    assertThat(searches.get(0)).isNotDone();
    dataAnswers.complete(null);
    assertThat(searches.get(0).get(5, TimeUnit.SECONDS).instances())
        .extracting(FoundInstance::instanceId)
        .containsExactly("i-00000002");
  }

  @Test
  void searchReturnsBeforeQueuedSearchesStart() {
    CompletableFuture<Void> webAnswers = finder.hold(WEB, "us-east-1");

    List<CompletableFuture<AccountResolution>> searches =
        new TargetResolver(finder, 1)
            .search(
                targets(
                    account(WEB, List.of("us-east-1"), byTag()),
                    account(DATA, List.of("us-east-1"), byTag())));

    // With one search at a time, DATA waits for WEB's; search() itself did not wait.
    assertThat(finder.searches()).containsExactly(WEB + "/us-east-1");
    webAnswers.complete(null);
    assertThat(searches).allSatisfy(f -> assertThat(f).succeedsWithin(Duration.ofSeconds(5)));
    assertThat(finder.searches()).containsExactly(WEB + "/us-east-1", DATA + "/us-east-1");
  }

  @Test
  void thousandsOfSearchesFailingAtOnceDoNotOverflowTheStack() {
    InstanceFinder throwing =
        (account, region) -> {
          throw new IllegalStateException("no credentials for " + account.id());
        };
    List<AccountTarget> accounts = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      accounts.add(account(String.format("%012d", i), List.of("us-east-1"), byTag()));
    }

    List<AccountResolution> resolved =
        new TargetResolver(throwing, 1).resolve(new Targets("targets.yaml", accounts));

    assertThat(resolved).hasSize(20_000).allSatisfy(r -> assertThat(r.errors()).hasSize(1));
  }

  @Test
  void parallelismMustBePositive() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new TargetResolver(finder, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
