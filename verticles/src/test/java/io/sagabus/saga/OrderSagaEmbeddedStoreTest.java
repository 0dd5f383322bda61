package io.sagabus.saga;

import io.vertx.core.json.JsonObject;

/** The order saga scenarios on the embedded (Hazelcast map) store. */
class OrderSagaEmbeddedStoreTest extends OrderSagaScenarios {

  @Override
  JsonObject storeConfig() {
    return new JsonObject().put("store", "embedded").put("mapPrefix", "sagabus." + SagaTestSupport.uniqueSuffix() + ".");
  }
}
