package io.sagabus.dashboard;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Saga outcomes per second over the last {@link #POINTS} seconds: one ring buffer per outcome, fixed memory. */
final class ThroughputSeries {

  static final int POINTS = 300;
  static final String[] OUTCOMES = {"started", "completed", "failed", "compensated"};

  private final long[][] rings = new long[OUTCOMES.length][POINTS];
  private final long[] current = new long[OUTCOMES.length];
  private long currentSecond;
  private int head;
  private int filled;

  ThroughputSeries(long nowMillis) {
    currentSecond = nowMillis / 1000;
  }

  /** Adds counts to the second {@code nowMillis} falls in, closing the seconds that ended before it. */
  void add(long nowMillis, long[] counts) {
    advance(nowMillis);
    for (int i = 0; i < current.length; i++) {
      current[i] += counts[i];
    }
  }

  void advance(long nowMillis) {
    long second = nowMillis / 1000;
    long gap = Math.min(second - currentSecond, POINTS);
    for (long s = 0; s < gap; s++) {
      for (int i = 0; i < rings.length; i++) {
        rings[i][head] = current[i];
        current[i] = 0;
      }
      head = (head + 1) % POINTS;
      filled = Math.min(POINTS, filled + 1);
    }
    if (second > currentSecond) {
      currentSecond = second;
    }
  }

  /** The last closed second's rates. */
  JsonObject lastSecond() {
    JsonObject rates = new JsonObject();
    int last = (head - 1 + POINTS) % POINTS;
    for (int i = 0; i < OUTCOMES.length; i++) {
      rates.put(OUTCOMES[i], filled == 0 ? 0 : rings[i][last]);
    }
    return rates;
  }

  /** {@code {"endsAt": epoch second of the newest point, outcome: [oldest..newest]}}. */
  JsonObject toJson() {
    JsonObject json = new JsonObject().put("endsAt", currentSecond - 1);
    for (int i = 0; i < OUTCOMES.length; i++) {
      JsonArray points = new JsonArray();
      for (int k = filled; k > 0; k--) {
        points.add(rings[i][(head - k + POINTS) % POINTS]);
      }
      json.put(OUTCOMES[i], points);
    }
    return json;
  }
}
