package io.sagabus.orderview;

import io.vertx.core.Vertx;

/** The order-view store contract against PostgreSQL: each test gets a table prefix of its own, dropped afterwards. */
class PostgresOrderViewsTest extends OrderViewStoreContract {

  @Override
  OrderViewStore newStore(Vertx vertx) {
    return new PostgresOrderViews(tables.sharedPool(vertx), tables.newPrefix());
  }
}
