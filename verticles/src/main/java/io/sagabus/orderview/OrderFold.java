package io.sagabus.orderview;

import io.sagabus.platform.events.DomainEvent;
import io.sagabus.platform.events.EventTopics;
import io.sagabus.platform.time.Instants;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Folds an order's domain events into one order document. The fold does not depend on arrival order: an order's
 * events travel on different topics, so the live projection and a replay may see them interleaved differently, and
 * both must end with the same document. Each field therefore comes from the events of one type, a status only ever
 * moves up its rank, and the timeline is kept sorted by (occurredAt, eventId).
 */
final class OrderFold {

  static final int MAX_TIMELINE = 100;

  /** Order status by rank: a later rank wins whatever the arrival order. */
  private static final List<String> STATUS = List.of("PENDING", "COMPLETED", "CANCELLED");
  private static final List<String> INVENTORY = List.of("RESERVED", "CONFIRMED", "RELEASED", "RESTOCKED");
  private static final List<String> PAYMENT = List.of("PROCESSED", "REFUNDED");
  private static final List<String> SHIPMENT = List.of("CREATED", "CANCELLED");
  private static final Map<String, String> INVENTORY_BY_TYPE = Map.of(
      EventTopics.INVENTORY_RESERVED, "RESERVED", EventTopics.INVENTORY_CONFIRMED, "CONFIRMED",
      EventTopics.INVENTORY_RELEASED, "RELEASED", EventTopics.INVENTORY_RESTOCKED, "RESTOCKED");

  private OrderFold() {}

  /**
   * The documents of the orders {@code events} touch after folding them in list order, each starting from
   * {@code current} (null for an order not seen yet). The documents {@code current} answers are the fold's own, freshly
   * read from the store, and are changed in place: copying them first was a tenth of a fold's cost.
   */
  static Map<String, JsonObject> applyAll(Function<String, JsonObject> current, List<DomainEvent> events) {
    Map<String, JsonObject> folded = new HashMap<>();
    for (DomainEvent event : events) {
      foldInto(folded.computeIfAbsent(event.key(), orderId -> {
        JsonObject stored = current.apply(orderId);
        return stored == null ? empty(orderId) : stored;
      }), event);
    }
    return folded;
  }

  /** The document after {@code event}; {@code current} (null for an order not seen yet) is left untouched. */
  static JsonObject apply(JsonObject current, DomainEvent event) {
    JsonObject view = startFrom(current, event.key());
    foldInto(view, event);
    return view;
  }

  private static JsonObject startFrom(JsonObject current, String orderId) {
    return current == null ? empty(orderId) : current.copy();
  }

  /** Folds {@code event} into {@code view}, changing it. */
  private static void foldInto(JsonObject view, DomainEvent event) {
    JsonObject payload = event.payload();
    String at = occurredAt(event);
    if (event.sagaId() != null && view.getString("sagaId") == null) {
      view.put("sagaId", event.sagaId());
    }
    JsonObject totals = view.getJsonObject("totals");
    switch (event.type()) {
      case EventTopics.ORDER_CREATED -> {
        copyIfPresent(payload, view, "customerId", "paymentMethod", "shippingAddress");
        JsonArray items = payload.getJsonArray("items");
        if (items != null) {
          view.put("items", withPrices(items, view.getJsonArray("items")));
        }
        view.put("createdAt", at);
      }
      case EventTopics.INVENTORY_RESERVED -> {
        JsonArray priced = payload.getJsonArray("items", new JsonArray());
        JsonArray items = view.getJsonArray("items");
        view.put("items", items.isEmpty() ? priced.copy() : withPrices(items, priced));
        Long amount = payload.getLong("amount");
        totals.put("reserved", amount != null ? amount : pricedTotal(priced));
      }
      case EventTopics.PAYMENT_PROCESSED -> {
        copyIfPresent(payload, view, "customerId");
        totals.put("charged", payload.getLong("amount", 0L));
      }
      case EventTopics.PAYMENT_REFUNDED -> totals.put("refunded", payload.getLong("amount", totals.getLong("charged", 0L)));
      case EventTopics.ORDER_COMPLETED -> {
        if (payload.getLong("amount") != null) {
          totals.put("completed", payload.getLong("amount"));
        }
        view.put("sagaOutcome", rankedMax(view.getString("sagaOutcome"), "COMPLETED", List.of("COMPLETED", "COMPENSATED")));
      }
      case EventTopics.ORDER_CANCELLED ->
          view.put("sagaOutcome", rankedMax(view.getString("sagaOutcome"), "COMPENSATED", List.of("COMPLETED", "COMPENSATED")));
      default -> { }
    }
    String status = switch (event.type()) {
      case EventTopics.ORDER_COMPLETED -> "COMPLETED";
      case EventTopics.ORDER_CANCELLED -> "CANCELLED";
      default -> "PENDING";
    };
    view.put("status", rankedMax(view.getString("status"), status, STATUS));
    String inventory = INVENTORY_BY_TYPE.get(event.type());
    if (inventory != null) {
      view.put("inventory", rankedMax(view.getString("inventory"), inventory, INVENTORY));
    }
    if (EventTopics.PAYMENT_PROCESSED.equals(event.type()) || EventTopics.PAYMENT_REFUNDED.equals(event.type())) {
      String payment = EventTopics.PAYMENT_PROCESSED.equals(event.type()) ? "PROCESSED" : "REFUNDED";
      view.put("payment", rankedMax(view.getString("payment"), payment, PAYMENT));
    }
    if (EventTopics.SHIPMENT_CREATED.equals(event.type()) || EventTopics.SHIPMENT_CANCELLED.equals(event.type())) {
      String shipment = EventTopics.SHIPMENT_CREATED.equals(event.type()) ? "CREATED" : "CANCELLED";
      view.put("shipment", rankedMax(view.getString("shipment"), shipment, SHIPMENT));
    }
    totals.put("itemCount", itemCount(view.getJsonArray("items")));
    totals.put("amount", amount(totals));
    addToTimeline(view, event);
  }

  /** Microseconds, as PostgreSQL keeps timestamps, so a cursor read back from a view matches its row exactly. */
  private static String occurredAt(DomainEvent event) {
    return event.occurredAt().truncatedTo(ChronoUnit.MICROS).toString();
  }

  private static JsonObject empty(String orderId) {
    return new JsonObject()
        .put("orderId", orderId)
        .put("items", new JsonArray())
        .put("totals", new JsonObject())
        .put("timeline", new JsonArray());
  }

  /** What the order is worth: the amount it completed with, else what was charged, else what the stock was priced at. */
  private static long amount(JsonObject totals) {
    for (String source : List.of("completed", "charged", "reserved")) {
      Long amount = totals.getLong(source);
      if (amount != null) {
        return amount;
      }
    }
    return 0L;
  }

  private static JsonArray withPrices(JsonArray items, JsonArray priced) {
    JsonArray merged = new JsonArray();
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i).copy();
      for (int j = 0; priced != null && j < priced.size(); j++) {
        JsonObject other = priced.getJsonObject(j);
        if (item.getString("sku", "").equals(other.getString("sku")) && other.getValue("price") != null) {
          item.put("price", other.getValue("price"));
        }
      }
      merged.add(item);
    }
    return merged;
  }

  private static long pricedTotal(JsonArray items) {
    long total = 0;
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i);
      total += item.getLong("qty", 0L) * item.getLong("price", 0L);
    }
    return total;
  }

  private static long itemCount(JsonArray items) {
    long count = 0;
    for (int i = 0; i < items.size(); i++) {
      count += items.getJsonObject(i).getLong("qty", 0L);
    }
    return count;
  }

  private static void copyIfPresent(JsonObject from, JsonObject to, String... fields) {
    for (String field : fields) {
      if (from.getValue(field) != null) {
        to.put(field, from.getValue(field));
      }
    }
  }

  private static String rankedMax(String current, String candidate, List<String> ranks) {
    return current == null || ranks.indexOf(candidate) > ranks.indexOf(current) ? candidate : current;
  }

  private static void addToTimeline(JsonObject view, DomainEvent event) {
    List<JsonObject> timeline = new ArrayList<>();
    view.getJsonArray("timeline").forEach(entry -> timeline.add((JsonObject) entry));
    timeline.add(new JsonObject().put("eventId", event.eventId()).put("type", event.type()).put("occurredAt", occurredAt(event)));
    // Each entry's time parsed once, not at every comparison: the sort runs for every event a projection applies.
    Map<JsonObject, Instant> times = new IdentityHashMap<>();
    timeline.forEach(entry -> times.put(entry, Instants.parse(entry.getString("occurredAt"))));
    timeline.sort(Comparator.comparing((JsonObject entry) -> times.get(entry)).thenComparing(entry -> entry.getString("eventId")));
    List<JsonObject> kept = timeline.size() > MAX_TIMELINE ? timeline.subList(timeline.size() - MAX_TIMELINE, timeline.size()) : timeline;
    view.put("timeline", new JsonArray(new ArrayList<>(kept)));
    String last = kept.get(kept.size() - 1).getString("occurredAt");
    view.put("updatedAt", last);
    boolean created = kept.stream().anyMatch(entry -> EventTopics.ORDER_CREATED.equals(entry.getString("type")));
    if (!created) {
      view.put("createdAt", kept.get(0).getString("occurredAt"));
    }
  }
}
