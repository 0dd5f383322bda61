package io.sagabus.order;

import io.sagabus.platform.participant.StepRejected;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** The order document both adapters keep. */
final class Orders {

  private Orders() {}

  static JsonObject newOrder(JsonObject command) {
    if (command.getString("orderId") == null || command.getString("customerId") == null || command.getJsonArray("items") == null) {
      throw StepRejected.badRequest("orderId, customerId and items are required");
    }
    return new JsonObject()
        .put("orderId", command.getString("orderId"))
        .put("sagaId", command.getString("sagaId"))
        .put("customerId", command.getString("customerId"))
        .put("items", command.getJsonArray("items").copy())
        .put("paymentMethod", command.getString("paymentMethod"))
        .put("shippingAddress", command.getValue("shippingAddress"))
        .put("status", "PENDING")
        .put("createdAt", Instant.now().toString());
  }

  /** The {@code order-created} payload: what the order is, without its mutable status. */
  static JsonObject created(JsonObject order) {
    return new JsonObject()
        .put("orderId", order.getString("orderId"))
        .put("customerId", order.getString("customerId"))
        .put("items", order.getJsonArray("items").copy())
        .put("paymentMethod", order.getString("paymentMethod"))
        .put("shippingAddress", order.getValue("shippingAddress"));
  }
}
