package io.sagabus.inventory;

import io.sagabus.inventory.contract.InventoryAddresses;
import io.sagabus.platform.config.ConfigReader;
import io.sagabus.platform.eventbus.FailureCodes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;

/** Owns stock per SKU: what is available, reserved by running sagas, and sold. */
public final class InventoryVerticle extends VerticleBase {

  private final Map<String, Integer> seed;
  private final Map<String, JsonObject> stock = new TreeMap<>();

  public InventoryVerticle(ConfigReader inventoryConfig) {
    this.seed = readSeed(inventoryConfig);
  }

  @Override
  public Future<?> start() {
    seed.forEach((sku, quantity) -> stock.put(sku, new JsonObject()
        .put("sku", sku).put("available", quantity).put("reserved", 0).put("sold", 0)));
    return vertx.eventBus().<JsonObject>consumer(InventoryAddresses.STOCK, this::stockLevel).completion();
  }

  private void stockLevel(Message<JsonObject> message) {
    JsonObject body = message.body() == null ? new JsonObject() : message.body();
    String sku = body.getString("sku");
    if (sku == null) {
      message.reply(new JsonObject().put("items", new JsonArray(stock.values().stream().map(JsonObject::copy).toList())));
      return;
    }
    JsonObject level = stock.get(sku);
    if (level == null) {
      message.fail(FailureCodes.NOT_FOUND, "unknown sku '" + sku + "'");
      return;
    }
    message.reply(level.copy());
  }

  private static Map<String, Integer> readSeed(ConfigReader config) {
    Map<String, Integer> levels = new TreeMap<>();
    if (!config.has("seed")) {
      levels.put("SKU-APPLE", 1_000);
      levels.put("SKU-BANANA", 1_000);
      levels.put("SKU-CHERRY", 100);
      return levels;
    }
    ConfigReader seedSection = config.section("seed");
    for (String sku : seedSection.raw().fieldNames()) {
      levels.put(sku, seedSection.integer(sku, 0, 0, Integer.MAX_VALUE));
    }
    return levels;
  }
}
