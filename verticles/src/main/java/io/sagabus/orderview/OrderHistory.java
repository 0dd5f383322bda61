package io.sagabus.orderview;

import io.sagabus.platform.events.DomainEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The event-sourced side of an order: events from the stream are appended to the order's aggregate, and an order's
 * history is rebuilt by folding its events one by one, keeping the state after each.
 */
final class OrderHistory {

  /** Conflicts only arise while two consumers briefly own one partition (a rebalance); a few re-reads settle them. */
  static final int MAX_APPEND_ATTEMPTS = 10;

  private final OrderEventStore store;
  /**
   * The newest append queued for each order. An order's events arrive on several topics, so several of this node's
   * deliveries may carry one order at once; they append one after another instead of conflicting and re-reading.
   * Touched only on the consumer's event loop.
   */
  private final Map<String, Future<Void>> lastAppend = new HashMap<>();

  OrderHistory(OrderEventStore store) {
    this.store = store;
  }

  /**
   * Appends a batch from the stream: each order's events in one append at the aggregate's current version, the orders
   * side by side. A writer that got there first makes that order re-read and retry. When one order fails the batch
   * fails, and its redelivery is harmless: events already stored are skipped.
   */
  Future<Void> recordAll(List<DomainEvent> events) {
    Map<String, List<DomainEvent>> byOrder = new LinkedHashMap<>();
    events.forEach(event -> byOrder.computeIfAbsent(event.key(), orderId -> new ArrayList<>()).add(event));
    List<Future<Void>> appends = new ArrayList<>(byOrder.size());
    byOrder.forEach((orderId, ofOrder) -> appends.add(afterThePrevious(orderId, () -> append(orderId, ofOrder, 1))));
    return Future.all(appends).mapEmpty();
  }

  private Future<Void> afterThePrevious(String orderId, Supplier<Future<Void>> append) {
    Future<Void> previous = lastAppend.get(orderId);
    Future<Void> next = previous == null ? append.get() : previous.transform(ignored -> append.get());
    lastAppend.put(orderId, next);
    next.onComplete(ignored -> lastAppend.remove(orderId, next));
    return next;
  }

  private Future<Void> append(String orderId, List<DomainEvent> events, int attempt) {
    return store.version(orderId)
        .compose(version -> store.append(orderId, version, events))
        .<Void>mapEmpty()
        .recover(failure -> failure instanceof OrderEventStore.VersionConflict && attempt < MAX_APPEND_ATTEMPTS
            ? append(orderId, events, attempt + 1)
            : Future.failedFuture(failure));
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
