package io.sagabus.inventory;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Where inventory keeps its stock and its step ledger. Saga commands are handled whole (they reply to the message)
 * because each adapter makes the ledger entry and the stock change atomic in its own way.
 */
interface InventoryBook {

  /** A SKU's stock at first start; an adapter that already holds the SKU keeps what it has. */
  record SeedSku(String sku, long stock, long price) {}

  Future<Void> start(List<SeedSku> seed);

  void reserve(Message<JsonObject> message);

  void release(Message<JsonObject> message);

  void confirm(Message<JsonObject> message);

  void restock(Message<JsonObject> message);

  void status(Message<JsonObject> message);

  Future<JsonArray> levels();

  /** One SKU's level, or null when unknown. */
  Future<JsonObject> level(String sku);
}
