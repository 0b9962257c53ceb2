package io.amifleet.common.queue;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/** A message to send: its body and string message attributes. */
public record OutgoingMessage(String body, Map<String, String> attributes) {
  public OutgoingMessage {
    requireNonNull(body, "body is null");
    attributes = Map.copyOf(requireNonNull(attributes, "attributes is null"));
  }

  public static OutgoingMessage of(String body) {
    return new OutgoingMessage(body, Map.of());
  }
}
