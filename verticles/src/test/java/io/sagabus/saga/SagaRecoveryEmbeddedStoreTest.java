package io.sagabus.saga;

import io.vertx.core.json.JsonObject;

/** Crash recovery with the embedded (Hazelcast map) store. */
class SagaRecoveryEmbeddedStoreTest extends SagaRecoveryScenarios {

  private final String mapPrefix = "sagabus." + SagaTestSupport.uniqueSuffix() + ".";

  @Override
  JsonObject storeConfig() {
    return new JsonObject().put("store", "embedded").put("mapPrefix", mapPrefix);
  }
}
