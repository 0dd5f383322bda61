package io.sagabus.saga;

import io.sagabus.testing.KafkaBroker;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;

/**
 * The choreographed order flow on a real Kafka broker, with every participant keeping its state and step ledger in
 * PostgreSQL, and {@code saga.mode} set to choreography so requests need not ask. Topics, consumer groups and tables
 * are unique to this run.
 */
class OrderChoreographyKafkaTest extends OrderChoreographyScenarios {

  private final String prefix = SagaTestSupport.uniqueSuffix() + "_";

  @Override
  JsonObject nodeConfig() {
    JsonObject config = SagaTestSupport.postgresNodeConfig(prefix)
        .put("kafka", new JsonObject().put("bootstrap", KafkaBroker.shared().bootstrap()))
        .put("events", new JsonObject().put("topicPrefix", prefix));
    config.getJsonObject("saga").put("mode", "choreography");
    return config;
  }

  @Override
  String choreographyQuery() {
    return "";
  }

  @AfterAll
  void dropTables() {
    SagaTestSupport.dropTables(prefix);
  }
}
