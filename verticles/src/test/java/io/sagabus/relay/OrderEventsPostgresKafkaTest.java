package io.sagabus.relay;

import io.sagabus.testing.KafkaBroker;
import io.vertx.core.json.JsonObject;

/**
 * The order events with every participant on PostgreSQL (tables of this run) and a real Kafka broker: the events are
 * read back by a real Kafka consumer group.
 */
class OrderEventsPostgresKafkaTest extends OrderEventsScenarios {

  @Override
  JsonObject backendConfig() {
    JsonObject tables = new JsonObject().put("tablePrefix", run + "_");
    return new JsonObject()
        .put("postgres", new JsonObject().put("url", PostgresOutboxRelayTest.POSTGRES_URL))
        .put("kafka", new JsonObject().put("bootstrap", KafkaBroker.shared().bootstrap()))
        .put("saga", tables.copy().put("store", "postgres"))
        .put("order", tables.copy())
        .put("inventory", tables.copy())
        .put("payment", tables.copy())
        .put("shipping", tables.copy());
  }

  @Override
  void cleanUp() {
    KafkaBroker.shared().deleteTopicsStartingWith(run + "-");
    try {
      PostgresOutboxRelayTest.dropTablesStartingWith(run + "_");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
