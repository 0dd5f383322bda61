package io.sagabus.platform.events;

import io.sagabus.platform.ids.Ids;
import io.sagabus.platform.time.Instants;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;

/**
 * The versioned envelope every domain event travels in, on Kafka and on the embedded log alike. {@code key} is the
 * orderId: it picks the partition, so events of one order stay in order. {@code type} is the topic name.
 */
public record DomainEvent(
    String eventId,
    String type,
    int schemaVersion,
    Instant occurredAt,
    String key,
    String sagaId,
    String traceparent,
    JsonObject payload) {

  public static final int SCHEMA_VERSION = 1;

  public DomainEvent {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(payload, "payload");
  }

  /** A new event of {@code type} about order {@code key}, stamped now with a fresh id. */
  public static DomainEvent of(String type, String key, String sagaId, String traceparent, JsonObject payload) {
    return new DomainEvent(Ids.next(), type, SCHEMA_VERSION, Instant.now(), key, sagaId, traceparent, payload);
  }

  public String topic() {
    return type;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("eventId", eventId)
        .put("type", type)
        .put("schemaVersion", schemaVersion)
        .put("occurredAt", occurredAt.toString())
        .put("key", key)
        .put("payload", payload);
    if (sagaId != null) {
      json.put("sagaId", sagaId);
    }
    if (traceparent != null) {
      json.put("traceparent", traceparent);
    }
    return json;
  }

  /** Reads an envelope; throws {@link IllegalArgumentException} naming the missing or bad field. */
  public static DomainEvent fromJson(JsonObject json) {
    try {
      return new DomainEvent(
          json.getString("eventId"),
          json.getString("type"),
          json.getInteger("schemaVersion", SCHEMA_VERSION),
          Instants.parse(Objects.requireNonNull(json.getString("occurredAt"), "occurredAt")),
          json.getString("key"),
          json.getString("sagaId"),
          json.getString("traceparent"),
          json.getJsonObject("payload"));
    } catch (NullPointerException | ClassCastException | java.time.DateTimeException e) {
      throw new IllegalArgumentException("not a sagabus event envelope: " + e.getMessage(), e);
    }
  }
}
