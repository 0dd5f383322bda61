package io.sagabus.orderview;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;

/** The order event-store contract against PostgreSQL: a table prefix of its own per test, dropped afterwards. */
class PostgresOrderEventsTest extends OrderEventStoreContract {

  private Pool pool;
  private final List<String> prefixes = new ArrayList<>();

  @Override
  OrderEventStore newStore(Vertx vertx) {
    if (pool == null) {
      pool = PgTables.pool(vertx);
    }
    String prefix = PgTables.uniquePrefix();
    prefixes.add(prefix);
    return new PostgresOrderEvents(pool, prefix);
  }

  @Override
  void cleanUp(Vertx vertx) {
    PgTables.drop(pool, prefixes);
  }
}
