package io.amifleet.common.json;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;

/**
 * The one Jackson configuration of amifleet: ISO-8601 instants, unknown fields ignored (schemas
 * evolve by adding fields), no nulls written. {@link ObjectMapper} is thread-safe once configured;
 * Guice binds the instance from {@link #newMapper()} as a singleton.
 *
 * <p>Two views: messages on the queues are written without a view, whole; JSON for people (command
 * output, reports) is written in the {@link Display} view, which leaves out every property marked
 * {@code @JsonView(Json.Wire.class)}: the secrets (see {@link io.amifleet.common.secret.Secrets}).
 */
public final class Json {
  private Json() {}

  /** Properties only the queues may carry: mark secrets with {@code @JsonView(Json.Wire.class)}. */
  public static final class Wire {
    private Wire() {}
  }

  /** What people read: everything but the {@link Wire}-only properties. */
  public static final class Display {
    private Display() {}
  }

  /** {@code value} as a JSON tree for people: secrets left out. */
  public static JsonNode displayTree(ObjectMapper mapper, Object value) {
    try {
      return mapper.readTree(mapper.writerWithView(Display.class).writeValueAsBytes(value));
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
    }
  }

  public static ObjectMapper newMapper() {
    return JsonMapper.builder()
        .addModule(new JavaTimeModule())
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .build();
  }
}
