package io.sagabus.inventory;

import io.sagabus.inventory.contract.InventoryAddresses;
import io.sagabus.platform.config.ConfigException;
import io.sagabus.platform.config.ConfigReader;
import io.sagabus.platform.eventbus.FailureCodes;
import io.sagabus.platform.participant.Faults;
import io.sagabus.platform.participant.StepLedger;
import io.sagabus.platform.participant.StepRejected;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Owns stock per SKU: what is available, reserved by running sagas, and sold. A saga's reservation moves through
 * reserved -> sold (confirm), back with restock and release, so available + reserved + sold never changes.
 */
public final class InventoryVerticle extends VerticleBase {

  static final long DEFAULT_PRICE = 100;

  private final ConfigReader config;
  private final Map<String, Sku> stock = new TreeMap<>();
  private final Map<String, Reservation> reservations = new HashMap<>();
  private StepLedger ledger;

  private static final class Sku {
    final String sku;
    final long price;
    long available;
    long reserved;
    long sold;

    Sku(String sku, long available, long price) {
      this.sku = sku;
      this.available = available;
      this.price = price;
    }

    JsonObject toJson() {
      return new JsonObject().put("sku", sku).put("available", available).put("reserved", reserved).put("sold", sold).put("price", price);
    }
  }

  /** The stock one saga holds, by SKU. */
  private static final class Reservation {
    final Map<String, Long> quantities = new LinkedHashMap<>();
    boolean sold;
  }

  public InventoryVerticle(ConfigReader inventoryConfig) {
    this.config = inventoryConfig;
  }

  @Override
  public Future<?> start() {
    readSeed(config).forEach(level -> stock.put(level.sku, level));
    Faults faults = Faults.fromConfig(config.raw().getJsonObject("faults"));
    ledger = new StepLedger(vertx, faults);
    var bus = vertx.eventBus();
    return Future.all(List.of(
        bus.<JsonObject>consumer(InventoryAddresses.STOCK, this::stockLevel).completion(),
        bus.<JsonObject>consumer(InventoryAddresses.RESERVE, m -> ledger.invoke(m, "reserve", this::reserve)).completion(),
        bus.<JsonObject>consumer(InventoryAddresses.RELEASE, m -> ledger.compensate(m, "release", this::release)).completion(),
        bus.<JsonObject>consumer(InventoryAddresses.CONFIRM, m -> ledger.invoke(m, "confirm", this::confirm)).completion(),
        bus.<JsonObject>consumer(InventoryAddresses.RESTOCK, m -> ledger.compensate(m, "restock", this::restock)).completion(),
        bus.<JsonObject>consumer(InventoryAddresses.STATUS, ledger::status).completion(),
        faults.listen(vertx, InventoryAddresses.FAULTS)));
  }

  private Future<JsonObject> reserve(JsonObject command) {
    JsonArray items = command.getJsonArray("items");
    if (items == null || items.isEmpty()) {
      throw StepRejected.badRequest("items are required");
    }
    Map<String, Long> wanted = new LinkedHashMap<>();
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i);
      wanted.merge(item.getString("sku"), item.getLong("qty"), Long::sum);
    }
    long amount = 0;
    for (var entry : wanted.entrySet()) {
      Sku level = stock.get(entry.getKey());
      if (level == null) {
        throw StepRejected.rejected("unknown sku " + entry.getKey());
      }
      if (level.available < entry.getValue()) {
        throw StepRejected.rejected("out of stock: " + entry.getKey() + " has " + level.available + " available, " + entry.getValue() + " wanted");
      }
      amount += level.price * entry.getValue();
    }
    Reservation reservation = new Reservation();
    wanted.forEach((sku, qty) -> {
      Sku level = stock.get(sku);
      level.available -= qty;
      level.reserved += qty;
      reservation.quantities.put(sku, qty);
    });
    reservations.put(command.getString("sagaId"), reservation);
    return Future.succeededFuture(new JsonObject().put("amount", amount));
  }

  private Future<JsonObject> release(JsonObject command, JsonObject reserved) {
    Reservation reservation = reservations.remove(command.getString("sagaId"));
    if (reservation != null) {
      reservation.quantities.forEach((sku, qty) -> {
        Sku level = stock.get(sku);
        if (reservation.sold) {
          level.sold -= qty;
        } else {
          level.reserved -= qty;
        }
        level.available += qty;
      });
    }
    return Future.succeededFuture(new JsonObject().put("released", true));
  }

  private Future<JsonObject> confirm(JsonObject command) {
    Reservation reservation = reservations.get(command.getString("sagaId"));
    if (reservation == null) {
      throw StepRejected.rejected("saga " + command.getString("sagaId") + " holds no reservation");
    }
    if (!reservation.sold) {
      reservation.quantities.forEach((sku, qty) -> {
        Sku level = stock.get(sku);
        level.reserved -= qty;
        level.sold += qty;
      });
      reservation.sold = true;
    }
    return Future.succeededFuture(new JsonObject().put("confirmed", true));
  }

  private Future<JsonObject> restock(JsonObject command, JsonObject confirmed) {
    Reservation reservation = reservations.get(command.getString("sagaId"));
    if (reservation != null && reservation.sold) {
      reservation.quantities.forEach((sku, qty) -> {
        Sku level = stock.get(sku);
        level.sold -= qty;
        level.reserved += qty;
      });
      reservation.sold = false;
    }
    return Future.succeededFuture(new JsonObject().put("restocked", true));
  }

  private void stockLevel(Message<JsonObject> message) {
    JsonObject body = message.body() == null ? new JsonObject() : message.body();
    String sku = body.getString("sku");
    if (sku == null) {
      message.reply(new JsonObject().put("items", new JsonArray(stock.values().stream().map(Sku::toJson).toList())));
      return;
    }
    Sku level = stock.get(sku);
    if (level == null) {
      message.fail(FailureCodes.NOT_FOUND, "unknown sku '" + sku + "'");
      return;
    }
    message.reply(level.toJson());
  }

  /** {@code seed: {SKU: stock}} or {@code seed: {SKU: {stock, price}}}; prices are in minor units. */
  private static List<Sku> readSeed(ConfigReader config) {
    if (!config.has("seed")) {
      return List.of(new Sku("SKU-APPLE", 1_000, DEFAULT_PRICE), new Sku("SKU-BANANA", 1_000, 50), new Sku("SKU-CHERRY", 100, 500));
    }
    ConfigReader seed = config.section("seed");
    return seed.raw().fieldNames().stream().map(sku -> {
      Object value = seed.raw().getValue(sku);
      if (value instanceof JsonObject) {
        ConfigReader item = seed.section(sku);
        return new Sku(sku, item.longValue("stock", 0, 0, Long.MAX_VALUE), item.longValue("price", DEFAULT_PRICE, 0, Long.MAX_VALUE));
      }
      if (value instanceof Number) {
        return new Sku(sku, seed.longValue(sku, 0, 0, Long.MAX_VALUE), DEFAULT_PRICE);
      }
      throw new ConfigException(seed.key(sku), "must be a stock count or {stock, price}");
    }).toList();
  }
}
