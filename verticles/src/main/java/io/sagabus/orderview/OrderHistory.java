package io.sagabus.orderview;

import io.sagabus.platform.events.DomainEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The event-sourced side of an order: events from the stream are appended to the order's aggregate, and an order's
 * history is rebuilt by folding its events one by one, keeping the state after each.
 */
final class OrderHistory {

  /** Conflicts only arise while two consumers briefly own one partition (a rebalance); a few re-reads settle them. */
  static final int MAX_APPEND_ATTEMPTS = 10;

  private final OrderEventStore store;

  OrderHistory(OrderEventStore store) {
    this.store = store;
  }

  /** Appends {@code event} at the aggregate's current version, re-reading and retrying when another writer got there first. */
  Future<Void> record(DomainEvent event) {
    return append(event, 1);
  }

  private Future<Void> append(DomainEvent event, int attempt) {
    return store.version(event.key())
        .compose(version -> store.append(event.key(), version, List.of(event)))
        .<Void>mapEmpty()
        .recover(failure -> failure instanceof OrderEventStore.VersionConflict && attempt < MAX_APPEND_ATTEMPTS
            ? append(event, attempt + 1)
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
