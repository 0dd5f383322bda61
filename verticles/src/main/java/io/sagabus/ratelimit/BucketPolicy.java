package io.sagabus.ratelimit;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * The shape of one token bucket: {@code burst} tokens at most, refilled continuously at {@code quota} tokens per
 * {@code windowSeconds}. The name is what clients see in the RateLimit headers. The refill rate is computed once,
 * because every decision needs it.
 */
public final class BucketPolicy {

  private final String name;
  private final int quota;
  private final int windowSeconds;
  private final int burst;
  private final double tokensPerMilli;

  public BucketPolicy(String name, int quota, int windowSeconds, int burst) {
    if (quota < 1 || windowSeconds < 1 || burst < 1) {
      throw new IllegalArgumentException("quota, window and burst must be positive: " + name + " " + quota + "/" + windowSeconds + "s burst " + burst);
    }
    this.name = Objects.requireNonNull(name, "name");
    this.quota = quota;
    this.windowSeconds = windowSeconds;
    this.burst = burst;
    this.tokensPerMilli = quota / (windowSeconds * 1000.0);
  }

  public String name() {
    return name;
  }

  public int quota() {
    return quota;
  }

  public int windowSeconds() {
    return windowSeconds;
  }

  public int burst() {
    return burst;
  }

  public double tokensPerMilli() {
    return tokensPerMilli;
  }

  public JsonObject toJson() {
    return new JsonObject().put("quota", quota).put("windowSeconds", windowSeconds).put("burst", burst);
  }

  @Override
  public boolean equals(Object other) {
    return this == other || other instanceof BucketPolicy that
        && quota == that.quota && windowSeconds == that.windowSeconds && burst == that.burst && name.equals(that.name);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, quota, windowSeconds, burst);
  }

  @Override
  public String toString() {
    return name + "(" + quota + "/" + windowSeconds + "s, burst " + burst + ")";
  }
}
