package io.amifleet.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetentionTest {
  private static final Instant NOW = Instant.parse("2026-11-28T02:00:00Z");
  private static final Duration MAX_AGE = Duration.ofDays(30);

  private static Retention keepLast(int n) {
    return new Retention(Optional.of(n), Optional.empty());
  }

  private static Retention maxAge(Duration d) {
    return new Retention(Optional.empty(), Optional.of(d));
  }

  private static Retention both(int n, Duration d) {
    return new Retention(Optional.of(n), Optional.of(d));
  }

  private static Instant daysAgo(long days) {
    return NOW.minus(Duration.ofDays(days));
  }

  // ---- construction -----------------------------------------------------------------------

  @Test
  void negativeKeepLastIsRefused() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> keepLast(-1))
        .withMessageContaining("keepLast");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> both(-1, MAX_AGE))
        .withMessageContaining("keepLast");
  }

  @Test
  void zeroKeepLastIsAllowed() {
    assertThat(keepLast(0).keepLast()).contains(0);
  }

  @Test
  void zeroMaxAgeIsRefused() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> maxAge(Duration.ZERO))
        .withMessageContaining("maxAge");
  }

  @Test
  void negativeMaxAgeIsRefused() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> maxAge(Duration.ofMillis(-1)))
        .withMessageContaining("maxAge");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> both(3, Duration.ofDays(-1)))
        .withMessageContaining("maxAge");
  }

  @Test
  void smallestPositiveMaxAgeIsAllowed() {
    assertThat(maxAge(Duration.ofNanos(1)).maxAge()).contains(Duration.ofNanos(1));
  }

  @Test
  void neitherKeepLastNorMaxAgeIsRefused() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Retention(Optional.empty(), Optional.empty()))
        .withMessageContaining("keepLast, maxAge or both");
  }

  @Test
  void nullFieldsAreRefused() {
    assertThatNullPointerException()
        .isThrownBy(() -> new Retention(null, Optional.of(MAX_AGE)))
        .withMessageContaining("keepLast");
    assertThatNullPointerException()
        .isThrownBy(() -> new Retention(Optional.of(1), null))
        .withMessageContaining("maxAge");
  }

  // ---- overriddenBy -----------------------------------------------------------------------

  @Test
  void overrideOfKeepLastOnlyKeepsBaseMaxAge() {
    Retention merged = both(3, MAX_AGE).overriddenBy(keepLast(5));

    assertThat(merged).isEqualTo(both(5, MAX_AGE));
  }

  @Test
  void overrideOfMaxAgeOnlyKeepsBaseKeepLast() {
    Retention merged = both(3, MAX_AGE).overriddenBy(maxAge(Duration.ofDays(7)));

    assertThat(merged).isEqualTo(both(3, Duration.ofDays(7)));
  }

  @Test
  void overrideOfBothFieldsWins() {
    Retention merged = both(3, MAX_AGE).overriddenBy(both(0, Duration.ofHours(1)));

    assertThat(merged).isEqualTo(both(0, Duration.ofHours(1)));
  }

  @Test
  void overrideFillsAFieldTheBaseLacks() {
    assertThat(keepLast(3).overriddenBy(maxAge(MAX_AGE))).isEqualTo(both(3, MAX_AGE));
    assertThat(maxAge(MAX_AGE).overriddenBy(keepLast(3))).isEqualTo(both(3, MAX_AGE));
  }

  @Test
  void overrideLeavesBothOperandsUnchanged() {
    Retention base = both(3, MAX_AGE);
    Retention override = keepLast(5);

    base.overriddenBy(override);

    assertThat(base).isEqualTo(both(3, MAX_AGE));
    assertThat(override).isEqualTo(keepLast(5));
  }

  // ---- expired: the newest image ----------------------------------------------------------

  @Test
  void newestIsKeptWhenOlderThanMaxAgeWithMaxAgeOnly() {
    assertThat(maxAge(MAX_AGE).expired(0, daysAgo(365), NOW)).isFalse();
  }

  @Test
  void newestIsKeptWhenOlderThanMaxAgeWithPositiveKeepLast() {
    assertThat(both(1, MAX_AGE).expired(0, daysAgo(365), NOW)).isFalse();
    assertThat(both(3, MAX_AGE).expired(0, daysAgo(365), NOW)).isFalse();
  }

  @Test
  void newestIsExpiredWhenKeepLastIsExplicitlyZero() {
    assertThat(keepLast(0).expired(0, NOW, NOW)).isTrue();
    assertThat(keepLast(0).expired(0, daysAgo(1), NOW)).isTrue();
    // keepLast 0 expires everything, even what maxAge alone would keep.
    assertThat(both(0, MAX_AGE).expired(0, NOW, NOW)).isTrue();
  }

  // ---- expired: keepLast only -------------------------------------------------------------

  @Test
  void keepLastOnlyExpiresFromRankKeepLast() {
    Retention retention = keepLast(3);

    assertThat(retention.expired(0, daysAgo(1000), NOW)).isFalse();
    assertThat(retention.expired(1, daysAgo(1000), NOW)).isFalse();
    assertThat(retention.expired(2, daysAgo(1000), NOW)).isFalse();
    assertThat(retention.expired(3, NOW, NOW)).isTrue();
    assertThat(retention.expired(4, NOW, NOW)).isTrue();
  }

  @Test
  void keepLastOneKeepsOnlyTheNewest() {
    Retention retention = keepLast(1);

    assertThat(retention.expired(0, daysAgo(1), NOW)).isFalse();
    assertThat(retention.expired(1, NOW, NOW)).isTrue();
  }

  // ---- expired: maxAge only ---------------------------------------------------------------

  @Test
  void maxAgeOnlyKeepsAnyRankWithinMaxAge() {
    Retention retention = maxAge(MAX_AGE);

    assertThat(retention.expired(1, daysAgo(29), NOW)).isFalse();
    assertThat(retention.expired(1000, daysAgo(29), NOW)).isFalse();
  }

  @Test
  void maxAgeOnlyExpiresOlderImagesBelowTheNewest() {
    Retention retention = maxAge(MAX_AGE);

    assertThat(retention.expired(1, daysAgo(31), NOW)).isTrue();
    assertThat(retention.expired(5, daysAgo(365), NOW)).isTrue();
  }

  @Test
  void createdExactlyMaxAgeAgoIsNotExpired() {
    Instant boundary = NOW.minus(MAX_AGE);

    assertThat(maxAge(MAX_AGE).expired(1, boundary, NOW)).isFalse();
    assertThat(both(10, MAX_AGE).expired(1, boundary, NOW)).isFalse();
  }

  @Test
  void createdOneMillisecondBeforeMaxAgeIsExpired() {
    Instant justOlder = NOW.minus(MAX_AGE).minusMillis(1);

    assertThat(maxAge(MAX_AGE).expired(1, justOlder, NOW)).isTrue();
    assertThat(both(10, MAX_AGE).expired(1, justOlder, NOW)).isTrue();
  }

  @Test
  void createdAfterNowIsNotExpiredByAge() {
    assertThat(maxAge(MAX_AGE).expired(1, NOW.plusSeconds(60), NOW)).isFalse();
  }

  // ---- expired: both ----------------------------------------------------------------------

  @Test
  void bothExpiresBeyondKeepLastEvenWhenYoung() {
    Retention retention = both(2, MAX_AGE);

    assertThat(retention.expired(2, NOW, NOW)).isTrue();
    assertThat(retention.expired(3, daysAgo(1), NOW)).isTrue();
  }

  @Test
  void bothExpiresWithinKeepLastWhenTooOld() {
    Retention retention = both(5, MAX_AGE);

    assertThat(retention.expired(1, daysAgo(31), NOW)).isTrue();
    assertThat(retention.expired(4, daysAgo(31), NOW)).isTrue();
  }

  @Test
  void bothKeepsWithinKeepLastAndMaxAge() {
    Retention retention = both(5, MAX_AGE);

    assertThat(retention.expired(1, daysAgo(29), NOW)).isFalse();
    assertThat(retention.expired(4, daysAgo(29), NOW)).isFalse();
  }

  @Test
  void bothKeepsTheNewestWhateverItsAge() {
    assertThat(both(2, MAX_AGE).expired(0, daysAgo(10_000), NOW)).isFalse();
  }

  // ---- deprecation ------------------------------------------------------------------------

  private static Retention deprecation(
      Optional<Integer> keepLast, Optional<Duration> deprecateAfter, Optional<Duration> delete) {
    return new Retention(
        keepLast,
        Optional.empty(),
        deprecateAfter,
        delete,
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  @Test
  void deprecateAfterAloneNeverLetsAnImageGo() {
    Retention r = deprecation(Optional.empty(), Optional.of(Duration.ofDays(14)), Optional.empty());
    assertThat(r.expired(5, daysAgo(400), NOW)).isFalse();
    assertThat(r.deprecates(daysAgo(15), NOW)).isTrue();
    assertThat(r.deprecates(daysAgo(13), NOW)).isFalse();
  }

  @Test
  void withDeleteAfterDeprecationAndNoCountOrAgeDeprecateAfterIsTheAgeThatGoes() {
    Retention r =
        deprecation(
            Optional.empty(), Optional.of(Duration.ofDays(14)), Optional.of(Duration.ofDays(7)));
    assertThat(r.twoPhase()).isTrue();
    assertThat(r.expired(1, daysAgo(15), NOW)).isTrue();
    assertThat(r.expired(1, daysAgo(13), NOW)).isFalse();
    assertThat(r.expired(0, daysAgo(400), NOW)).as("the newest image stays").isFalse();
    assertThat(r.deletableFrom(NOW)).isEqualTo(NOW.plus(Duration.ofDays(7)));
  }

  @Test
  void zeroDeprecationDurationsAndRelativeParameterPathsAreRefused() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> deprecation(Optional.of(1), Optional.of(Duration.ZERO), Optional.empty()))
        .withMessageContaining("deprecateAfter");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> deprecation(Optional.of(1), Optional.empty(), Optional.of(Duration.ZERO)))
        .withMessageContaining("deleteAfterDeprecation");
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                new Retention(
                    Optional.of(1),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of(List.of("amis/web"))))
        .withMessageContaining("parameterPaths");
  }

  @Test
  void sharedImagesAreKeptAndEveryTemplateVersionCountsUnlessThePolicySaysOtherwise() {
    Retention plain = keepLast(1);
    assertThat(plain.keepsShared()).isTrue();
    assertThat(plain.templateVersions()).isEqualTo(Retention.LaunchTemplateVersions.ALL);
    Retention relaxed =
        new Retention(
            Optional.of(1),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.of(true),
            Optional.of(Retention.LaunchTemplateVersions.DEFAULT_AND_LATEST),
            Optional.empty());
    assertThat(relaxed.keepsShared()).isFalse();
    assertThat(plain.overriddenBy(relaxed).templateVersions())
        .isEqualTo(Retention.LaunchTemplateVersions.DEFAULT_AND_LATEST);
  }
}
