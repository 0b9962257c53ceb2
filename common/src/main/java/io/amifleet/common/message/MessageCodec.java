package io.amifleet.common.message;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.ErrorCodes;
import io.amifleet.common.error.ErrorKind;
import io.amifleet.common.secret.Secrets;
import jakarta.inject.Inject;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Encodes and decodes the JSON messages. Decoding never throws anything but a {@link
 * AmiFleetException} of kind {@link ErrorKind#POISON} whose message says what is wrong; that
 * sentence becomes the DLQ reason, a log line and a result's error message, so any ExternalId the
 * body holds is masked in it (a parser's message may quote the token it choked on). Thread-safe.
 */
public final class MessageCodec {
  private final ObjectMapper mapper;

  @Inject
  public MessageCodec(ObjectMapper mapper) {
    this.mapper = requireNonNull(mapper, "mapper is null");
  }

  public String encode(Object message) {
    try {
      return mapper.writeValueAsString(message);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
    }
  }

  public JobMessage decodeJob(String body) {
    return redacted(body, () -> decode(body, JobMessage.class, JobMessage.VERSION));
  }

  /**
   * A message of the jobs queue: an image job, or a prune job ({@code kind: "prune"}); Jackson
   * picks the record by {@code kind} ({@link WorkItem}). An unknown kind is poison.
   */
  public WorkItem decodeWork(String body) {
    return redacted(body, () -> decode(body, WorkItem.class, JobMessage.VERSION));
  }

  public ResultMessage decodeResult(String body) {
    return redacted(body, () -> decode(body, ResultMessage.class, ResultMessage.VERSION));
  }

  /** Runs {@code decode}; a poison reason it throws has the body's ExternalIds masked. */
  private static <T> T redacted(String body, Supplier<T> decode) {
    try {
      return decode.get();
    } catch (AmiFleetException e) {
      throw poison(Secrets.redact(e.getMessage(), Secrets.externalIdsIn(body)));
    }
  }

  private <T> T decode(String body, Class<T> type, int version) {
    if (body == null || body.isBlank()) {
      throw poison("empty message body");
    }
    JsonNode tree;
    try {
      tree = mapper.readTree(body);
    } catch (JsonProcessingException e) {
      throw poison("not JSON: " + e.getOriginalMessage());
    }
    if (tree == null || !tree.isObject()) {
      throw poison("not a JSON object");
    }
    JsonNode v = tree.get("v");
    if (v == null || v.isNull()) {
      throw poison("missing schema version field 'v'");
    }
    if (!v.isInt()) {
      throw poison("schema version 'v' must be a whole number, not " + v);
    }
    if (v.intValue() != version) {
      throw poison(
          "unsupported schema version v="
              + v.intValue()
              + " (this worker reads v="
              + version
              + ")");
    }
    if (WorkItem.class.isAssignableFrom(type)) {
      JsonNode kind = tree.get("kind");
      if (kind == null || kind.isNull()) {
        ((ObjectNode) tree).put("kind", JobMessage.KIND); // without a kind: an image job
      } else if (!kind.isTextual()) {
        throw unknownKind(kind.toString());
      }
    }
    try {
      return mapper.treeToValue(tree, type);
    } catch (InvalidTypeIdException e) {
      throw unknownKind(e.getTypeId());
    } catch (ValueInstantiationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw poison(cause.getMessage());
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw poison("invalid field: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  private static AmiFleetException unknownKind(String kind) {
    List<String> known =
        Stream.of(WorkItem.class.getAnnotation(JsonSubTypes.class).value())
            .map(JsonSubTypes.Type::name)
            .sorted()
            .toList();
    return poison(
        "unknown kind '" + kind + "' (this worker knows " + String.join(" and ", known) + " jobs)");
  }

  private static AmiFleetException poison(String reason) {
    return new AmiFleetException(ErrorKind.POISON, ErrorCodes.INVALID_MESSAGE, reason);
  }
}
