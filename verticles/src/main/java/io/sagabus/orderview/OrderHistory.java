package io.sagabus.orderview;

import io.sagabus.platform.events.DomainEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The event-sourced side of an order: events from the stream are appended to the order's aggregate, and an order's
 * history is rebuilt by folding its events one by one, keeping the state after each.
 *
 * <p>Deliveries are {@link MergedDeliveries merged}: one version read and one append for all their orders. An order's
 * events arrive on several topics, so several deliveries often carry one order; merged, they append one after another
 * instead of conflicting with each other.
 */
final class OrderHistory {

  /** Conflicts only arise while two consumers briefly own one partition (a rebalance); a few re-reads settle them. */
  static final int MAX_APPEND_ATTEMPTS = 10;

  private final OrderEventStore store;
  private final MergedDeliveries deliveries;

  OrderHistory(Vertx vertx, OrderEventStore store, long writeIntervalMs) {
    this.store = store;
    this.deliveries = new MergedDeliveries(vertx, writeIntervalMs, this::appendTogether);
  }

  /**
   * Appends a delivery from the stream: each order's events at the aggregate's current version. It fails when one of
   * its orders could not be appended, and its redelivery is harmless: events already stored are skipped.
   */
  Future<Void> recordAll(List<DomainEvent> events) {
    return deliveries.write(events);
  }

  private Future<Void> appendTogether(List<MergedDeliveries.Delivery> batch) {
    Map<String, List<DomainEvent>> byOrder = new LinkedHashMap<>();
    MergedDeliveries.eventsOf(batch).forEach(event -> byOrder.computeIfAbsent(event.key(), orderId -> new ArrayList<>()).add(event));
    return append(byOrder, 1)
        .andThen(done -> batch.forEach(delivery -> delivery.written().handle(done.succeeded()
            ? outcome(delivery, done.result()) : Future.failedFuture(done.cause()))))
        .mapEmpty();
  }

  /** A delivery fails when one of its orders never got in, and comes again with its redelivery. */
  private static Future<Void> outcome(MergedDeliveries.Delivery delivery, Set<String> refused) {
    for (DomainEvent event : delivery.events()) {
      if (refused.contains(event.key())) {
        return Future.failedFuture(new IllegalStateException("order " + event.key() + " conflicted with another writer "
            + MAX_APPEND_ATTEMPTS + " times; its events come again with the redelivery"));
      }
    }
    return Future.succeededFuture();
  }

  /** Appends every order's events, re-reading and retrying those that conflicted; answers those that never got in. */
  private Future<Set<String>> append(Map<String, List<DomainEvent>> byOrder, int attempt) {
    return store.versions(byOrder.keySet())
        .compose(versions -> {
          List<OrderEventStore.Append> appends = new ArrayList<>(byOrder.size());
          byOrder.forEach((orderId, events) -> appends.add(new OrderEventStore.Append(orderId, versions.get(orderId), events)));
          return store.append(appends);
        })
        .compose(appended -> {
          Map<String, List<DomainEvent>> conflicted = new LinkedHashMap<>(byOrder);
          conflicted.keySet().removeAll(appended.keySet());
          if (conflicted.isEmpty() || attempt >= MAX_APPEND_ATTEMPTS) {
            return Future.succeededFuture(conflicted.keySet());
          }
          return append(conflicted, attempt + 1);
        });
  }

  /**
   * {@code {orderId, version, steps: [{version, event: {eventId, type, occurredAt, payload}, state}], state}}, or null
   * for an order with no events.
   */
  Future<JsonObject> history(String orderId) {
    return store.read(orderId).map(stored -> {
      if (stored.isEmpty()) {
        return null;
      }
      JsonArray steps = new JsonArray();
      JsonObject state = null;
      for (OrderEventStore.Stored entry : stored) {
        DomainEvent event = entry.event();
        state = OrderFold.apply(state, event);
        steps.add(new JsonObject()
            .put("version", entry.version())
            .put("event", new JsonObject().put("eventId", event.eventId()).put("type", event.type())
                .put("occurredAt", event.occurredAt().toString()).put("payload", event.payload()))
            .put("state", state));
      }
      return new JsonObject()
          .put("orderId", orderId)
          .put("version", stored.get(stored.size() - 1).version())
          .put("steps", steps)
          .put("state", state);
    });
  }
}
