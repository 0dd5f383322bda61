package io.sagabus.ratelimit;

import io.sagabus.ratelimit.contract.RateLimitFields;
import io.vertx.core.json.JsonObject;

/** The outcome of taking tokens from a bucket, with what the client is told about its quota. */
public record Decision(boolean allowed, double tokensLeft, BucketPolicy policy, int cost, boolean degraded) {

  public int remaining() {
    return (int) Math.max(0, Math.floor(tokensLeft + 1e-9));
  }

  /** Seconds until the bucket is full again (0 when full). */
  public long resetSeconds() {
    return (long) Math.ceil(Math.max(0, policy.burst() - tokensLeft) / policy.tokensPerMilli() / 1000.0 - 1e-9);
  }

  /** Seconds until enough tokens for this request exist; a cost above the burst never fits, so a full window. */
  public long retryAfterSeconds() {
    if (allowed) {
      return 0;
    }
    if (cost > policy.burst()) {
      return policy.windowSeconds();
    }
    return Math.max(1, (long) Math.ceil((cost - tokensLeft) / policy.tokensPerMilli() / 1000.0 - 1e-9));
  }

  public Decision asDegraded() {
    return new Decision(allowed, tokensLeft, policy, cost, true);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put(RateLimitFields.ALLOWED, allowed)
        .put(RateLimitFields.POLICY, policy.name())
        .put(RateLimitFields.QUOTA, policy.quota())
        .put(RateLimitFields.WINDOW_SECONDS, policy.windowSeconds())
        .put(RateLimitFields.REMAINING, remaining())
        .put(RateLimitFields.RESET_SECONDS, resetSeconds());
    if (!allowed) {
      json.put(RateLimitFields.RETRY_AFTER_SECONDS, retryAfterSeconds());
    }
    if (degraded) {
      json.put(RateLimitFields.DEGRADED, true);
    }
    return json;
  }
}
