package io.amifleet.emulator.realistic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class ImageTrackerTest {
  /** Two images as moto writes them: nested items (block devices, tags) inside each. */
  private static final String MOTO =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<DescribeImagesResponse><imagesSet>"
          + item("ami-1")
          + item("ami-2")
          + "</imagesSet><requestId>r</requestId></DescribeImagesResponse>";

  private static String item(String id) {
    return "<item><blockDeviceMapping><item><ebs><snapshotId>snap-"
        + id
        + "</snapshotId></ebs></item></blockDeviceMapping><tagSet><item><key>k</key><value>v</value>"
        + "</item></tagSet><imageId>"
        + id
        + "</imageId><imageState>available</imageState></item>";
  }

  private final ImageTracker tracker = new ImageTracker();

  @Test
  void aPendingImageIsRewrittenAndOthersAreLeftAsMotoWroteThem() {
    tracker.created(new ImageTracker.Tracked("ami-1", 0, 1_000, false));

    String xml = tracker.rewriteDescribeImages(MOTO, null, 500, true, true);

    assertThat(xml)
        .contains(item("ami-1").replace("available", "pending"))
        .contains(item("ami-2"))
        .endsWith("</imagesSet><requestId>r</requestId></DescribeImagesResponse>");
  }

  @Test
  void aStateFilterKeepsOnlyImagesInThoseStatesAfterTheRewrite() {
    tracker.created(new ImageTracker.Tracked("ami-1", 0, 1_000, false));

    String pending = tracker.rewriteDescribeImages(MOTO, Set.of("pending"), 500, true, true);
    String available = tracker.rewriteDescribeImages(MOTO, Set.of("available"), 500, true, true);

    assertThat(pending).contains("<imageId>ami-1</imageId>").doesNotContain("ami-2</imageId>");
    assertThat(available).contains("<imageId>ami-2</imageId>").doesNotContain("ami-1</imageId>");
  }

  @Test
  void aFailingImageGetsAStateReasonOnceItsPendingTimeIsOver() {
    tracker.created(new ImageTracker.Tracked("ami-2", 0, 1_000, true));

    String xml = tracker.rewriteDescribeImages(MOTO, null, 2_000, true, true);

    assertThat(xml)
        .contains(
            "<imageId>ami-2</imageId><imageState>failed</imageState><stateReason><code>"
                + "Server.InternalError</code>");
  }

  @Test
  void anImageNotVisibleYetIsLeftOutAndASettledOneIsForgotten() {
    tracker.created(new ImageTracker.Tracked("ami-1", 1_000, 1_000, false));
    tracker.created(new ImageTracker.Tracked("ami-2", 0, 0, false));

    String xml = tracker.rewriteDescribeImages(MOTO, null, 500, true, true);

    assertThat(xml).doesNotContain("<imageId>ami-1</imageId>").contains(item("ami-2"));
    assertThat(tracker.invisible(java.util.List.of("ami-1", "ami-2"), 500))
        .containsExactly("ami-1");
    tracker.rewriteDescribeImages(MOTO, null, 5_000, true, true);
    assertThat(tracker.tracksAny()).isFalse();
  }

  @Test
  void aNameIsHeldUntilItsImageIsDeregistered() {
    assertThat(tracker.reserveName("1", "r", "web")).isNull();
    tracker.nameTaken("1", "r", "web", "ami-9");
    assertThat(tracker.reserveName("1", "r", "web")).isEqualTo("ami-9");
    assertThat(tracker.reserveName("2", "r", "web")).as("another account").isNull();

    tracker.deregistered("1", "r", "ami-9");

    assertThat(tracker.reserveName("1", "r", "web")).isNull();
  }
}
