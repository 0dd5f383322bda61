package io.sagabus.shipping;

import io.vertx.core.json.JsonObject;

/** Payloads of shipping's domain events, the same from both adapters. */
final class ShippingEvents {

  private ShippingEvents() {}

  static JsonObject created(JsonObject command, String shipmentId) {
    return new JsonObject().put("orderId", command.getString("orderId")).put("shipmentId", shipmentId)
        .put("address", command.getJsonObject("shippingAddress").copy());
  }

  static JsonObject cancelled(JsonObject command, String shipmentId) {
    return new JsonObject().put("orderId", command.getString("orderId")).put("shipmentId", shipmentId);
  }
}
