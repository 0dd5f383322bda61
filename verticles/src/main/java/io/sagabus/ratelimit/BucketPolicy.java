package io.sagabus.ratelimit;

import io.vertx.core.json.JsonObject;

/**
 * The shape of one token bucket: {@code burst} tokens at most, refilled continuously at {@code quota} tokens per
 * {@code windowSeconds}. The name is what clients see in the RateLimit headers.
 */
public record BucketPolicy(String name, int quota, int windowSeconds, int burst) {

  public BucketPolicy {
    if (quota < 1 || windowSeconds < 1 || burst < 1) {
      throw new IllegalArgumentException("quota, window and burst must be positive: " + this);
    }
  }

  public double tokensPerMilli() {
    return quota / (windowSeconds * 1000.0);
  }

  /** How long an untouched bucket takes to fill up from empty; after that it equals a fresh one and may be dropped. */
  public long fullRefillMillis() {
    return (long) Math.ceil(burst / tokensPerMilli());
  }

  public JsonObject toJson() {
    return new JsonObject().put("quota", quota).put("windowSeconds", windowSeconds).put("burst", burst);
  }
}
