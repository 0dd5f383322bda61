package io.sagabus.payment;

import io.vertx.core.json.JsonObject;

/** Payloads of payment's domain events, the same from both adapters. */
final class PaymentEvents {

  private PaymentEvents() {}

  /** {@code payment-processed} and {@code payment-refunded}: who, how much, which charge. */
  static JsonObject of(JsonObject command, String chargeId, long amount) {
    return new JsonObject().put("orderId", command.getString("orderId")).put("customerId", command.getString("customerId"))
        .put("amount", amount).put("chargeId", chargeId);
  }
}
