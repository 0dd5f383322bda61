package io.sagabus.orderview;

import io.vertx.core.Vertx;

/** The order event-store contract against the in-memory adapter. */
class MemoryOrderEventsTest extends OrderEventStoreContract {

  @Override
  OrderEventStore newStore(Vertx vertx) {
    return new MemoryOrderEvents();
  }
}
