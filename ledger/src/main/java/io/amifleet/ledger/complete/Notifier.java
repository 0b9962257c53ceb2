package io.amifleet.ledger.complete;

/** Where the summary of a completed run goes (the hub stack's SNS topic). */
public interface Notifier {
  void publish(String subject, String message);
}
