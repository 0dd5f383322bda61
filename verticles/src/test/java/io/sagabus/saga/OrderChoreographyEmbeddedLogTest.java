package io.sagabus.saga;

import io.vertx.core.json.JsonObject;

/**
 * The choreographed order flow on the embedded event log of a node without Kafka, with in-memory participants;
 * orchestration stays the default, so each request asks for choreography.
 */
class OrderChoreographyEmbeddedLogTest extends OrderChoreographyScenarios {

  @Override
  JsonObject nodeConfig() {
    return new JsonObject();
  }

  @Override
  String choreographyQuery() {
    return "mode=choreography";
  }
}
