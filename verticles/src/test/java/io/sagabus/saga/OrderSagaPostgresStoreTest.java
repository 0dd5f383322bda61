package io.sagabus.saga;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;

/**
 * The order saga scenarios on the PostgreSQL store, with the order, inventory and payment services keeping their
 * state in PostgreSQL too, in tables unique to this run (dropped afterwards).
 */
class OrderSagaPostgresStoreTest extends OrderSagaScenarios {

  private final String prefix = SagaTestSupport.uniqueSuffix() + "_";

  @Override
  JsonObject storeConfig() {
    return new JsonObject().put("store", "postgres").put("tablePrefix", prefix);
  }

  @Override
  JsonObject nodeConfig() {
    return SagaTestSupport.postgresNodeConfig(prefix);
  }

  @AfterAll
  void dropTables() {
    SagaTestSupport.dropTables(prefix);
  }
}
