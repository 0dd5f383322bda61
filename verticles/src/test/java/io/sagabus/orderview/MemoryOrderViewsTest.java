package io.sagabus.orderview;

import io.vertx.core.Vertx;

/** The order-view store contract against the in-memory adapter. */
class MemoryOrderViewsTest extends OrderViewStoreContract {

  @Override
  OrderViewStore newStore(Vertx vertx) {
    return new MemoryOrderViews();
  }
}
