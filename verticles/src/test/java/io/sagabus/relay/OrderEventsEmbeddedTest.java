package io.sagabus.relay;

import io.vertx.core.json.JsonObject;

/** The order events on a node without Postgres or Kafka: memory books, memory outbox, embedded event log. */
class OrderEventsEmbeddedTest extends OrderEventsScenarios {

  @Override
  JsonObject backendConfig() {
    return new JsonObject();
  }
}
