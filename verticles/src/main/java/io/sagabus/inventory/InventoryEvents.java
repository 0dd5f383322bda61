package io.sagabus.inventory;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Payloads of inventory's domain events, the same from both adapters. */
final class InventoryEvents {

  private InventoryEvents() {}

  /** {@code inventory-reserved}: {@code items} are {@code {sku, qty, price}}, {@code amount} their total. */
  static JsonObject reserved(JsonObject command, JsonArray items, long amount) {
    return new JsonObject().put("orderId", command.getString("orderId")).put("items", items).put("amount", amount);
  }

  /** {@code inventory-released}, {@code -confirmed}, {@code -restocked}: the {@code {sku, qty}} that moved. */
  static JsonObject moved(JsonObject command, JsonArray items) {
    return new JsonObject().put("orderId", command.getString("orderId")).put("items", items);
  }
}
