package io.sagabus.orderview;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;

/** The order-view store contract against PostgreSQL: each test gets a table prefix of its own, dropped afterwards. */
class PostgresOrderViewsTest extends OrderViewStoreContract {

  private Pool pool;
  private final List<String> prefixes = new ArrayList<>();

  @Override
  OrderViewStore newStore(Vertx vertx) {
    if (pool == null) {
      pool = PgTables.pool(vertx);
    }
    String prefix = PgTables.uniquePrefix();
    prefixes.add(prefix);
    return new PostgresOrderViews(pool, prefix);
  }

  @Override
  void cleanUp(Vertx vertx) {
    PgTables.drop(pool, prefixes);
  }
}
