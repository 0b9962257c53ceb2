package io.amifleet.common.secret;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that decides how secrets are hidden in what amifleet prints and logs. A secret is
 * an ExternalId (the {@code sts:ExternalId} a target role's trust policy demands) or a value that
 * targets.yaml took from the environment with {@code ${VAR}}.
 *
 * <p>Three ways lead here, so that no print path has to remember to redact: types that carry an
 * ExternalId print it as {@link #MASK} in their {@code toString}; JSON written for people is
 * written in the {@code Json.Display} view, which leaves the ExternalId out; and text that may
 * quote one (the body of a message that is not a valid job, an error message about it) goes through
 * {@link #redact} or {@link #redactExternalIds}. Stateless; thread-safe.
 */
public final class Secrets {
  /** What a secret is replaced with. */
  public static final String MASK = "****";

  /**
   * Shorter values are not searched for: an ExternalId has at least 2 characters (IAM's minimum),
   * and a one-character "secret" would blot out every occurrence of that character.
   */
  static final int MIN_LENGTH = 2;

  /**
   * An {@code externalId} field (any case, with or without quotes, as {@code :} or {@code =}) and
   * its value: a JSON string, a single-quoted string, or a bare token. Bodies that are not valid
   * JSON are matched too: a broken message can still hold a real ExternalId.
   */
  private static final Pattern EXTERNAL_ID_FIELD =
      Pattern.compile(
          "(?i)[\"']?external_?id[\"']?\\s*[:=]\\s*"
              + "(?:\"((?:[^\"\\\\]|\\\\.)*)\"?|'([^']*)'?|([^\\s,}\\]\"']+))");

  /** A piece of text in single or double quotes. */
  private static final Pattern QUOTED = Pattern.compile("(['\"])([^'\"]*)\\1");

  private Secrets() {}

  /** {@link #MASK} for a value that is there, {@code null} for one that is not. */
  public static String mask(Object value) {
    return value == null ? null : MASK;
  }

  /**
   * {@code record} as a record's generated {@code toString} writes it, with its {@code externalId}
   * masked (a string, or an Optional of one: {@code none} when empty): jobs and accounts end up in
   * logs and messages.
   */
  public static String describe(Record record) {
    StringJoiner out = new StringJoiner(", ", record.getClass().getSimpleName() + "[", "]");
    for (RecordComponent c : record.getClass().getRecordComponents()) {
      Object value;
      try {
        value = c.getAccessor().invoke(record);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read " + c.getName() + " of a record", e);
      }
      if (c.getName().equals("externalId")) {
        value = value instanceof Optional<?> o ? o.map(Secrets::mask).orElse("none") : mask(value);
      }
      out.add(c.getName() + "=" + value);
    }
    return out.toString();
  }

  /**
   * The values of every {@code externalId} field in {@code text} (a message body, JSON or not), as
   * written and, for JSON strings, as decoded.
   */
  public static Set<String> externalIdsIn(String text) {
    Set<String> found = new LinkedHashSet<>();
    if (text == null) {
      return found;
    }
    Matcher m = EXTERNAL_ID_FIELD.matcher(text);
    while (m.find()) {
      if (m.group(1) != null) {
        found.add(m.group(1));
        found.add(unescapeJson(m.group(1)));
      } else if (m.group(2) != null) {
        found.add(m.group(2));
      } else if (m.group(3) != null) {
        found.add(m.group(3));
      }
    }
    found.removeIf(s -> s.length() < MIN_LENGTH);
    return found;
  }

  /**
   * {@code text} with every occurrence of each of {@code secrets} replaced by {@link #MASK}, and
   * every quoted piece of one too: a parser quotes the token it stopped at ({@code Unrecognized
   * token 'SeCrEt'}), which may be only the start of the secret.
   */
  public static String redact(String text, Collection<String> secrets) {
    if (text == null || secrets.isEmpty()) {
      return text;
    }
    // Longest first, so that a secret containing another is masked whole.
    List<String> ordered = new ArrayList<>(secrets);
    ordered.removeIf(s -> s == null || s.length() < MIN_LENGTH);
    ordered.sort(Comparator.comparingInt(String::length).reversed());
    String out = text;
    for (String secret : ordered) {
      out = out.replace(secret, MASK);
    }
    Matcher quoted = QUOTED.matcher(out);
    StringBuilder masked = new StringBuilder();
    while (quoted.find()) {
      String piece = quoted.group(2);
      boolean part =
          piece.length() >= MIN_LENGTH && ordered.stream().anyMatch(s -> s.contains(piece));
      quoted.appendReplacement(
          masked,
          Matcher.quoteReplacement(
              part ? quoted.group(1) + MASK + quoted.group(1) : quoted.group()));
    }
    quoted.appendTail(masked);
    return masked.toString();
  }

  /** {@code text} with the values of its own {@code externalId} fields masked. */
  public static String redactExternalIds(String text) {
    return redact(text, externalIdsIn(text));
  }

  /** Decodes JSON string escapes ({@code \/}, {@code \"}, {@code \\u0041}, ...); bad ones stay. */
  private static String unescapeJson(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\' || i + 1 >= s.length()) {
        out.append(c);
        continue;
      }
      char e = s.charAt(++i);
      switch (e) {
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'r' -> out.append('\r');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'u' -> {
          if (i + 4 < s.length() && s.substring(i + 1, i + 5).matches("[0-9a-fA-F]{4}")) {
            out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
            i += 4;
          } else {
            out.append("\\u");
          }
        }
        default -> out.append(e);
      }
    }
    return out.toString();
  }
}
