package io.amifleet.ledger.complete;

import java.util.OptionalLong;

/** How many messages the dead-letter queue holds, for a run's summary; empty when unknown. */
@FunctionalInterface
public interface DeadLetterDepth {
  OptionalLong get();
}
