package io.sagabus.saga;

import io.sagabus.saga.contract.SagaAddresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Publishes the engine's transition events in batches on {@link SagaAddresses#EVENTS}: one message per
 * {@link #FLUSH_MS} (or per {@link #MAX_BATCH} events) instead of one per transition. At thousands of sagas a second
 * the per-message delivery cost, not the events, is what listeners pay for.
 *
 * <p>Not thread-safe: used on the engine's context.
 */
final class SagaEventFeed {

  static final long FLUSH_MS = 100;
  static final int MAX_BATCH = 1_000;

  private final Vertx vertx;
  private JsonArray pending = new JsonArray();
  private boolean flushScheduled;

  SagaEventFeed(Vertx vertx) {
    this.vertx = vertx;
  }

  void add(JsonObject event) {
    pending.add(event);
    if (pending.size() >= MAX_BATCH) {
      flush();
    } else if (!flushScheduled) {
      flushScheduled = true;
      vertx.setTimer(FLUSH_MS, id -> {
        flushScheduled = false;
        flush();
      });
    }
  }

  private void flush() {
    if (pending.isEmpty()) {
      return;
    }
    JsonArray batch = pending;
    pending = new JsonArray();
    vertx.eventBus().publish(SagaAddresses.EVENTS, new JsonObject().put("events", batch));
  }
}
