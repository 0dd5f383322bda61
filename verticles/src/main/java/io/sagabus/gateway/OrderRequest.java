package io.sagabus.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Validates a {@code POST /api/orders} body into the order saga's input; every refusal names the field. */
final class OrderRequest {

  static final class InvalidField extends RuntimeException {
    final String field;

    InvalidField(String field, String message) {
      super(message, null, false, false);
      this.field = field;
    }
  }

  private OrderRequest() {}

  /** The normalized input (only known fields, in a fixed order, so equal requests hash equally). */
  static JsonObject validate(JsonObject body) {
    String customerId = text(body, "customerId", "customerId", 100);
    Object rawItems = body.getValue("items");
    if (!(rawItems instanceof JsonArray items) || items.isEmpty() || items.size() > SagaApiRoutes.MAX_ITEMS) {
      throw new InvalidField("items", "must be a list of 1 to " + SagaApiRoutes.MAX_ITEMS + " {sku, qty} objects");
    }
    JsonArray normalized = new JsonArray();
    for (int i = 0; i < items.size(); i++) {
      String field = "items[" + i + "]";
      if (!(items.getValue(i) instanceof JsonObject item)) {
        throw new InvalidField(field, "must be an object {sku, qty}");
      }
      String sku = text(item, "sku", field + ".sku", 100);
      Object qty = item.getValue("qty");
      if (!(qty instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())
          || number.longValue() < 1 || number.longValue() > SagaApiRoutes.MAX_QTY) {
        throw new InvalidField(field + ".qty", "must be an integer from 1 to " + SagaApiRoutes.MAX_QTY);
      }
      normalized.add(new JsonObject().put("sku", sku).put("qty", number.longValue()));
    }
    String paymentMethod = text(body, "paymentMethod", "paymentMethod", 50);
    if (!(body.getValue("shippingAddress") instanceof JsonObject address)) {
      throw new InvalidField("shippingAddress", "must be an object {street, city, country}");
    }
    JsonObject shipping = new JsonObject()
        .put("street", text(address, "street", "shippingAddress.street", 200))
        .put("city", text(address, "city", "shippingAddress.city", 100))
        .put("country", text(address, "country", "shippingAddress.country", 2));
    if (address.getValue("postalCode") instanceof String postalCode) {
      shipping.put("postalCode", postalCode);
    }
    return new JsonObject().put("customerId", customerId).put("items", normalized).put("paymentMethod", paymentMethod)
        .put("shippingAddress", shipping);
  }

  private static String text(JsonObject json, String name, String field, int maxLength) {
    Object value = json.getValue(name);
    if (!(value instanceof String text) || text.isBlank() || text.length() > maxLength) {
      throw new InvalidField(field, "is required: a non-blank string of at most " + maxLength + " characters");
    }
    return text;
  }
}
