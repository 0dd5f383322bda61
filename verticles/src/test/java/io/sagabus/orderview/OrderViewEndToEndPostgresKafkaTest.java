package io.sagabus.orderview;

import io.sagabus.testing.KafkaBroker;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Orders to order views with every service on PostgreSQL (tables of this run) and a real Kafka broker. */
class OrderViewEndToEndPostgresKafkaTest extends OrderViewEndToEndScenarios {

  @Override
  JsonObject backendConfig() {
    JsonObject tables = new JsonObject().put("tablePrefix", run + "_");
    return new JsonObject()
        .put("postgres", new JsonObject().put("url", PgTables.URL))
        .put("kafka", new JsonObject().put("bootstrap", KafkaBroker.shared().bootstrap()))
        .put("saga", tables.copy().put("store", "postgres"))
        .put("order", tables.copy())
        .put("inventory", tables.copy())
        .put("payment", tables.copy())
        .put("shipping", tables.copy())
        .put("orderview", tables.copy());
  }

  @Override
  void cleanUp() {
    KafkaBroker.shared().deleteTopicsStartingWith(run + "-");
    Vertx vertx = Vertx.vertx();
    PgTables.drop(PgTables.pool(vertx), List.of(run + "_"));
    vertx.close();
  }
}
