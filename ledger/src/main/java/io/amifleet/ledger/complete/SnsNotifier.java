package io.amifleet.ledger.complete;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.error.AwsErrors;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sns.SnsClient;

/** Publishes run summaries to an SNS topic. Uses the caller's client. Thread-safe. */
public final class SnsNotifier implements Notifier {
  /**
   * An SNS subject is at most 100 printable ASCII characters
   * (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html).
   */
  static final int SUBJECT_MAX = 100;

  private final SnsClient sns;
  private final String topicArn;

  public SnsNotifier(SnsClient sns, String topicArn) {
    this.sns = requireNonNull(sns, "sns is null");
    this.topicArn = requireNonNull(topicArn, "topicArn is null");
  }

  @Override
  public void publish(String subject, String message) {
    String ascii = subject.replaceAll("[^\\x20-\\x7E]", "?");
    String cut = ascii.length() > SUBJECT_MAX ? ascii.substring(0, SUBJECT_MAX) : ascii;
    try {
      sns.publish(b -> b.topicArn(topicArn).subject(cut).message(message));
    } catch (SdkException e) {
      throw AwsErrors.translate(e, "Publish to " + topicArn);
    }
  }
}
