package io.sagabus.saga;

import io.vertx.core.json.JsonObject;

/** The order saga scenarios on the PostgreSQL store, in tables unique to this run. */
class OrderSagaPostgresStoreTest extends OrderSagaScenarios {

  @Override
  JsonObject storeConfig() {
    return new JsonObject().put("store", "postgres").put("tablePrefix", SagaTestSupport.uniqueSuffix() + "_");
  }

  @Override
  JsonObject nodeConfig() {
    return new JsonObject().put("postgres", new JsonObject().put("url", SagaTestSupport.POSTGRES_URL));
  }
}
