package io.amifleet.emulator.realistic;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Which account an access key acts in, learned from the AssumeRole answers that pass through the
 * layer (the role's account), and when its session expires. Keys never seen are moto's default
 * account, as moto treats them. Thread-safe.
 */
final class AccountDirectory {
  static final String DEFAULT_ACCOUNT = "123456789012";

  private record Session(String account, long expiresAtMillis) {}

  private final ConcurrentMap<String, Session> sessions = new ConcurrentHashMap<>();

  void learn(String accessKey, String account, long expiresAtMillis) {
    sessions.put(accessKey, new Session(account, expiresAtMillis));
  }

  String account(String accessKey) {
    Session s = accessKey == null ? null : sessions.get(accessKey);
    return s == null ? DEFAULT_ACCOUNT : s.account();
  }

  /**
   * An access key that acts in {@code account}, or null: the layer's own calls on behalf of an
   * account (reading another account's image for a copy) act with it.
   */
  String keyOf(String account) {
    long now = System.currentTimeMillis();
    return sessions.entrySet().stream()
        .filter(e -> e.getValue().account().equals(account) && e.getValue().expiresAtMillis() > now)
        .map(java.util.Map.Entry::getKey)
        .findFirst()
        .orElse(null);
  }

  /** Whether {@code accessKey} is a session that expired before {@code nowMillis}. */
  boolean expired(String accessKey, long nowMillis) {
    Session s = accessKey == null ? null : sessions.get(accessKey);
    return s != null && nowMillis >= s.expiresAtMillis();
  }

  void clear() {
    sessions.clear();
  }
}
