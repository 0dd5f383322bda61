package io.sagabus.order;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/** Where the order service keeps orders and its step ledger; saga commands are handled whole. */
interface OrderBook {

  Future<Void> start();

  void create(Message<JsonObject> message);

  void complete(Message<JsonObject> message);

  void cancel(Message<JsonObject> message);

  void status(Message<JsonObject> message);

  /** The order, or null when unknown. */
  Future<JsonObject> get(String orderId);
}
