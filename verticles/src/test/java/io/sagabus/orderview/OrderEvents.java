package io.sagabus.orderview;

import io.sagabus.platform.events.DomainEvent;
import io.sagabus.platform.events.EventTopics;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Realistic event sequences of one order, as the participants emit them, for tests and the lag benchmark. */
public final class OrderEvents {

  private OrderEvents() {}

  public static DomainEvent event(String type, String orderId, Instant at, JsonObject payload) {
    return new DomainEvent(UUID.randomUUID().toString(), type, DomainEvent.SCHEMA_VERSION, at, orderId, "saga-" + orderId, null, payload);
  }

  private static DomainEvent created(String orderId, String customerId, JsonArray items, Instant at) {
    return event(EventTopics.ORDER_CREATED, orderId, at, new JsonObject().put("customerId", customerId).put("items", items)
        .put("paymentMethod", "card").put("shippingAddress", new JsonObject().put("city", "Lyon")));
  }

  /** A completed order: {@code qty} of one SKU at {@code price}, events one millisecond apart from {@code start}. */
  public static List<DomainEvent> completed(String orderId, String customerId, long qty, long price, Instant start) {
    long amount = qty * price;
    JsonArray items = new JsonArray().add(new JsonObject().put("sku", "SKU-1").put("qty", qty));
    JsonArray priced = new JsonArray().add(new JsonObject().put("sku", "SKU-1").put("qty", qty).put("price", price));
    return List.of(
        created(orderId, customerId, items, start),
        event(EventTopics.INVENTORY_RESERVED, orderId, start.plusMillis(1), new JsonObject().put("items", priced)),
        event(EventTopics.PAYMENT_PROCESSED, orderId, start.plusMillis(2), new JsonObject().put("customerId", customerId).put("amount", amount)),
        event(EventTopics.INVENTORY_CONFIRMED, orderId, start.plusMillis(3), new JsonObject().put("items", priced)),
        event(EventTopics.SHIPMENT_CREATED, orderId, start.plusMillis(4), new JsonObject().put("shipmentId", "shp-" + orderId)),
        event(EventTopics.ORDER_COMPLETED, orderId, start.plusMillis(5), new JsonObject().put("amount", amount)));
  }

  /** An order whose payment was declined: stock reserved, then released, and the order cancelled. */
  public static List<DomainEvent> cancelled(String orderId, String customerId, long qty, long price, Instant start) {
    JsonArray items = new JsonArray().add(new JsonObject().put("sku", "SKU-1").put("qty", qty));
    JsonArray priced = new JsonArray().add(new JsonObject().put("sku", "SKU-1").put("qty", qty).put("price", price));
    return List.of(
        created(orderId, customerId, items, start),
        event(EventTopics.INVENTORY_RESERVED, orderId, start.plusMillis(1), new JsonObject().put("items", priced)),
        event(EventTopics.INVENTORY_RELEASED, orderId, start.plusMillis(2), new JsonObject().put("items", priced)),
        event(EventTopics.ORDER_CANCELLED, orderId, start.plusMillis(3), new JsonObject()));
  }
}
