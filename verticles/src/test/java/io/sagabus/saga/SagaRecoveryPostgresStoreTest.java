package io.sagabus.saga;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;

/** Crash recovery with the PostgreSQL store and participants keeping their books in PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SagaRecoveryPostgresStoreTest extends SagaRecoveryScenarios {

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
