package io.sagabus.shipping;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/** Where shipping keeps shipments and its step ledger; saga commands are handled whole. */
interface ShippingBook {

  Future<Void> start();

  /** {@code checkAddress} returns the refusal for an undeliverable address, or null. */
  void create(Message<JsonObject> message, Function<JsonObject, String> checkAddress);

  void cancel(Message<JsonObject> message);

  void status(Message<JsonObject> message);
}
