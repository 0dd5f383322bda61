package io.sagabus.platform.events;

import io.vertx.core.json.JsonObject;

/**
 * A domain event as an outbox stores it: the envelope already encoded by {@link DomainEvent#toJson()}, with the two
 * fields a log needs to place it. Relaying it to Kafka needs no decoding.
 */
public record EncodedEvent(String type, String key, String envelope) {

  public static EncodedEvent of(DomainEvent event) {
    return new EncodedEvent(event.type(), event.key(), event.toJson().encode());
  }

  public DomainEvent decode() {
    return DomainEvent.fromJson(new JsonObject(envelope));
  }
}
