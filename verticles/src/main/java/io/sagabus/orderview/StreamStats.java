package io.sagabus.orderview;

import io.sagabus.platform.events.DomainEvent;
import io.sagabus.platform.events.EventTopics;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Orders per minute, revenue per minute and the cancel rate over a sliding window of event time: one bucket per
 * second in a ring, so memory is fixed whatever the rate. Events older than the window, or from the future beyond
 * one bucket, are not counted.
 */
final class StreamStats {

  /** The only topics it counts; subscribing to these alone spares decoding every other event. */
  static final List<String> TOPICS = List.of(EventTopics.ORDER_CREATED, EventTopics.ORDER_COMPLETED, EventTopics.ORDER_CANCELLED);

  private final int windowSeconds;
  private final long[] seconds;
  private final long[] created;
  private final long[] completed;
  private final long[] cancelled;
  private final long[] revenue;

  StreamStats(int windowSeconds) {
    this.windowSeconds = windowSeconds;
    this.seconds = new long[windowSeconds];
    this.created = new long[windowSeconds];
    this.completed = new long[windowSeconds];
    this.cancelled = new long[windowSeconds];
    this.revenue = new long[windowSeconds];
  }

  void onEvent(DomainEvent event, long nowMillis) {
    long second = event.occurredAt().getEpochSecond();
    long now = nowMillis / 1000;
    if (second <= now - windowSeconds || second > now + 1) {
      return;
    }
    int slot = (int) Math.floorMod(second, (long) windowSeconds);
    if (seconds[slot] != second) {
      seconds[slot] = second;
      created[slot] = 0;
      completed[slot] = 0;
      cancelled[slot] = 0;
      revenue[slot] = 0;
    }
    switch (event.type()) {
      case EventTopics.ORDER_CREATED -> created[slot]++;
      case EventTopics.ORDER_COMPLETED -> {
        completed[slot]++;
        revenue[slot] += event.payload().getLong("amount", 0L);
      }
      case EventTopics.ORDER_CANCELLED -> cancelled[slot]++;
      default -> { }
    }
  }

  /** {@code {windowSeconds, ordersPerMin, revenuePerMin, cancelRate, created, completed, cancelled}}. */
  JsonObject snapshot(long nowMillis) {
    long now = nowMillis / 1000;
    long orders = 0;
    long done = 0;
    long undone = 0;
    long money = 0;
    for (int slot = 0; slot < windowSeconds; slot++) {
      if (seconds[slot] > now - windowSeconds && seconds[slot] <= now + 1) {
        orders += created[slot];
        done += completed[slot];
        undone += cancelled[slot];
        money += revenue[slot];
      }
    }
    double perMinute = 60.0 / windowSeconds;
    long finished = done + undone;
    return new JsonObject()
        .put("windowSeconds", windowSeconds)
        .put("ordersPerMin", Math.round(orders * perMinute * 10) / 10.0)
        .put("revenuePerMin", Math.round(money * perMinute * 10) / 10.0)
        .put("cancelRate", finished == 0 ? 0.0 : Math.round(10_000.0 * undone / finished) / 10_000.0)
        .put("created", orders)
        .put("completed", done)
        .put("cancelled", undone);
  }
}
