package io.sagabus.orderview;

import io.vertx.core.Vertx;

/** The order event-store contract against PostgreSQL: a table prefix of its own per test, dropped afterwards. */
class PostgresOrderEventsTest extends OrderEventStoreContract {

  @Override
  OrderEventStore newStore(Vertx vertx) {
    return new PostgresOrderEvents(tables.sharedPool(vertx), tables.newPrefix());
  }
}
