package io.sagabus.orderview;

import io.vertx.core.json.JsonObject;

/** Orders to order views on the embedded stores and the embedded event log. */
class OrderViewEndToEndEmbeddedTest extends OrderViewEndToEndScenarios {

  @Override
  JsonObject backendConfig() {
    return new JsonObject();
  }
}
