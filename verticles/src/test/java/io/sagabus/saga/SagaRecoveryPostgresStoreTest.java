package io.sagabus.saga;

import io.vertx.core.json.JsonObject;

/** Crash recovery with the PostgreSQL store. */
class SagaRecoveryPostgresStoreTest extends SagaRecoveryScenarios {

  private final String tablePrefix = SagaTestSupport.uniqueSuffix() + "_";

  @Override
  JsonObject storeConfig() {
    return new JsonObject().put("store", "postgres").put("tablePrefix", tablePrefix);
  }

  @Override
  JsonObject nodeConfig() {
    return new JsonObject().put("postgres", new JsonObject().put("url", SagaTestSupport.POSTGRES_URL));
  }
}
