package io.amifleet.emulator.realistic;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * What the layer knows that moto does not model: the images made through it (when each becomes
 * visible to DescribeImages, when it stops being pending, whether it ends failed), the AMI names in
 * use per account+region, and the instances terminated through it. Rewrites DescribeImages answers
 * accordingly. Thread-safe.
 */
final class ImageTracker {
  static final String PENDING_NAME = "(an image being created)";
  static final String FAILED_REASON_CODE = "Server.InternalError";
  static final String FAILED_REASON =
      "Server.InternalError: An internal error has occurred while creating the image";

  /** An image made through the layer; times are {@code System.nanoTime()} values. */
  record Tracked(String imageId, long visibleAt, long availableAt, boolean fails, String reason) {
    Tracked(String imageId, long visibleAt, long availableAt, boolean fails) {
      this(imageId, visibleAt, availableAt, fails, null);
    }

    /** The same image, ending failed for {@code why} ({@code code: message}). */
    Tracked failing(String why) {
      return new Tracked(imageId, visibleAt, availableAt, true, why);
    }
  }

  private final ConcurrentMap<String, Tracked> images = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, String> names = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, String> instanceStates = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, String> deprecations = new ConcurrentHashMap<>();

  /** Where an image made through the layer lives: its owner and region. */
  record Owner(String account, String region) {}

  private final ConcurrentMap<String, Owner> owners = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, String> copyTokens = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, ConcurrentMap<String, Long>> copiesInProgress =
      new ConcurrentHashMap<>();

  void owned(String imageId, String account, String region) {
    owners.put(imageId, new Owner(account, region));
  }

  /** The owner of an image made through the layer (CreateImage, CopyImage), or null. */
  Owner owner(String imageId) {
    return owners.get(imageId);
  }

  /** The copy an earlier CopyImage with this ClientToken made in the account+region, or null. */
  String copyByToken(String account, String region, String token) {
    return copyTokens.get(key(account, region, token));
  }

  void copyMade(String account, String region, String token, String imageId, long availableAt) {
    if (token != null) {
      copyTokens.put(key(account, region, token), imageId);
    }
    copiesInProgress
        .computeIfAbsent(account + '/' + region, k -> new ConcurrentHashMap<>())
        .put(imageId, availableAt);
  }

  /** Copies into the account+region still pending at {@code now}. */
  int copiesInProgress(String account, String region, long now) {
    ConcurrentMap<String, Long> copies = copiesInProgress.get(account + '/' + region);
    if (copies == null) {
      return 0;
    }
    copies.values().removeIf(availableAt -> availableAt <= now);
    return copies.size();
  }

  private static String key(String account, String region, String name) {
    return account + '/' + region + '/' + name;
  }

  /**
   * Reserves {@code name} in the account+region for a call about to create an image; returns the
   * image that holds it (or {@link #PENDING_NAME}) when it is taken, else null.
   */
  String reserveName(String account, String region, String name) {
    return names.putIfAbsent(key(account, region, name), PENDING_NAME);
  }

  void nameTaken(String account, String region, String name, String imageId) {
    names.put(key(account, region, name), imageId);
  }

  void releaseName(String account, String region, String name) {
    names.remove(key(account, region, name), PENDING_NAME);
  }

  /** A deregistered image frees its name (EC2 lets a new image take it). */
  void deregistered(String account, String region, String imageId) {
    images.remove(imageId);
    deprecations.remove(imageId);
    ConcurrentMap<String, Long> copies = copiesInProgress.get(account + '/' + region);
    if (copies != null) {
      copies.remove(imageId);
    }
    String prefix = account + '/' + region + '/';
    names.entrySet().removeIf(e -> e.getKey().startsWith(prefix) && e.getValue().equals(imageId));
  }

  void created(Tracked image) {
    images.put(image.imageId(), image);
  }

  void instanceState(String account, String region, String instanceId, String state) {
    instanceStates.put(key(account, region, instanceId), state);
  }

  /** The state last seen for the instance through the layer, or null. */
  String instanceState(String account, String region, String instanceId) {
    return instanceStates.get(key(account, region, instanceId));
  }

  boolean tracksAny() {
    return !images.isEmpty();
  }

  /** Those of {@code imageIds} that DescribeImages may not know yet at {@code now}. */
  List<String> invisible(List<String> imageIds, long now) {
    return imageIds.stream()
        .filter(
            id -> {
              Tracked t = images.get(id);
              return t != null && now < t.visibleAt();
            })
        .toList();
  }

  /**
   * A DescribeImages answer as EC2 would give it at {@code now}: images not visible yet left out,
   * pending ones {@code pending}, failing ones {@code failed} with a state reason, and only the
   * states of {@code stateFilter} when there is one (the layer took the filter off the call to
   * moto, whose images are all available).
   */
  String rewriteDescribeImages(
      String xml, Set<String> stateFilter, long now, boolean consistency, boolean pending) {
    List<Xml.Span> items = Xml.items(xml, "imagesSet");
    if (items.isEmpty()) {
      return xml;
    }
    StringBuilder out = new StringBuilder(xml.length() + 256);
    int copied = 0;
    for (Xml.Span span : items) {
      out.append(xml, copied, span.start());
      copied = span.end();
      String item = xml.substring(span.start(), span.end());
      String state = Xml.topLevel(item, "imageState");
      Tracked t = images.get(Xml.topLevel(item, "imageId"));
      if (t != null) {
        if (consistency && now < t.visibleAt()) {
          continue;
        }
        String newState = state;
        if (pending && now < t.availableAt()) {
          newState = "pending";
        } else if (pending && t.fails()) {
          newState = "failed";
        } else if (now >= t.visibleAt()) {
          // Settled: from now on moto's answer is EC2's answer.
          images.remove(t.imageId(), t);
        }
        if (newState != null && !newState.equals(state)) {
          String replacement = "<imageState>" + newState + "</imageState>";
          if (newState.equals("failed")) {
            String code = t.reason() == null ? FAILED_REASON_CODE : t.reason().split(":", 2)[0];
            String message = t.reason() == null ? FAILED_REASON : t.reason();
            replacement +=
                "<stateReason><code>"
                    + Xml.escape(code)
                    + "</code><message>"
                    + Xml.escape(message)
                    + "</message></stateReason>";
          }
          item = item.replace("<imageState>" + state + "</imageState>", replacement);
          state = newState;
        }
      }
      if (stateFilter != null && !stateFilter.contains(state)) {
        continue;
      }
      out.append(item);
    }
    out.append(xml, copied, xml.length());
    return out.toString();
  }

  /** The image is deprecated from {@code time} (as EC2 writes it); null: no longer deprecated. */
  void deprecation(String imageId, String time) {
    if (time == null) {
      deprecations.remove(imageId);
    } else {
      deprecations.put(imageId, time);
    }
  }

  /**
   * A DescribeImages answer with each deprecated image's {@code deprecationTime}, which moto does
   * not write.
   */
  String withDeprecationTimes(String xml) {
    if (deprecations.isEmpty()) {
      return xml;
    }
    List<Xml.Span> items = Xml.items(xml, "imagesSet");
    StringBuilder out = new StringBuilder(xml.length() + 64);
    int copied = 0;
    for (Xml.Span span : items) {
      String item = xml.substring(span.start(), span.end());
      String time = deprecations.get(String.valueOf(Xml.topLevel(item, "imageId")));
      if (time == null || Xml.topLevel(item, "deprecationTime") != null) {
        continue;
      }
      int close = span.end() - "</item>".length();
      out.append(xml, copied, close);
      out.append("<deprecationTime>").append(time).append("</deprecationTime>");
      copied = close;
    }
    out.append(xml, copied, xml.length());
    return out.toString();
  }

  void clear() {
    deprecations.clear();
    images.clear();
    names.clear();
    instanceStates.clear();
    owners.clear();
    copyTokens.clear();
    copiesInProgress.clear();
  }
}
