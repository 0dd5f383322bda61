package io.sagabus.inventory;

import io.sagabus.platform.events.EventTopics;
import io.sagabus.platform.events.StepEvents;
import io.sagabus.platform.outbox.MemoryOutbox;
import io.sagabus.platform.participant.Faults;
import io.sagabus.platform.participant.StepLedger;
import io.sagabus.platform.participant.StepRejected;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Stock kept in the verticle's memory: for a single node, tests and demos. Lost on restart. Events go to the memory
 * outbox in the same event-loop turn as the change.
 */
final class MemoryInventory implements InventoryBook {

  private final Map<String, Sku> stock = new TreeMap<>();
  private final Map<String, Reservation> reservations = new HashMap<>();
  private final StepLedger ledger;
  private final MemoryOutbox outbox;

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

    JsonArray items() {
      JsonArray items = new JsonArray();
      quantities.forEach((sku, qty) -> items.add(new JsonObject().put("sku", sku).put("qty", qty)));
      return items;
    }
  }

  MemoryInventory(Vertx vertx, Faults faults, MemoryOutbox outbox) {
    this.ledger = new StepLedger(vertx, faults);
    this.outbox = outbox;
  }

  @Override
  public Future<Void> start(List<SeedSku> seed) {
    seed.forEach(item -> stock.put(item.sku(), new Sku(item.sku(), item.stock(), item.price())));
    return Future.succeededFuture();
  }

  @Override
  public void reserve(Message<JsonObject> message) {
    ledger.invoke(message, "reserve", this::reserve);
  }

  @Override
  public void release(Message<JsonObject> message) {
    ledger.compensate(message, "release", this::release);
  }

  @Override
  public void confirm(Message<JsonObject> message) {
    ledger.invoke(message, "confirm", this::confirm);
  }

  @Override
  public void restock(Message<JsonObject> message) {
    ledger.compensate(message, "restock", this::restock);
  }

  @Override
  public void status(Message<JsonObject> message) {
    ledger.status(message);
  }

  @Override
  public Future<JsonArray> levels() {
    return Future.succeededFuture(new JsonArray(stock.values().stream().map(Sku::toJson).toList()));
  }

  @Override
  public Future<JsonObject> level(String sku) {
    Sku level = stock.get(sku);
    return Future.succeededFuture(level == null ? null : level.toJson());
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
    JsonArray reserved = new JsonArray();
    wanted.forEach((sku, qty) -> {
      Sku level = stock.get(sku);
      level.available -= qty;
      level.reserved += qty;
      reservation.quantities.put(sku, qty);
      reserved.add(new JsonObject().put("sku", sku).put("qty", qty).put("price", level.price));
    });
    reservations.put(command.getString("sagaId"), reservation);
    outbox.append(List.of(StepEvents.of(EventTopics.INVENTORY_RESERVED, command, InventoryEvents.reserved(command, reserved, amount))));
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
      outbox.append(List.of(StepEvents.of(EventTopics.INVENTORY_RELEASED, command, InventoryEvents.moved(command, reservation.items()))));
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
      outbox.append(List.of(StepEvents.of(EventTopics.INVENTORY_CONFIRMED, command, InventoryEvents.moved(command, reservation.items()))));
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
      outbox.append(List.of(StepEvents.of(EventTopics.INVENTORY_RESTOCKED, command, InventoryEvents.moved(command, reservation.items()))));
    }
    return Future.succeededFuture(new JsonObject().put("restocked", true));
  }
}
