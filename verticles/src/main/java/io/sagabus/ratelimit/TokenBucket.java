package io.sagabus.ratelimit;

/**
 * One bucket's state and the refill-then-take step. The Redis Lua script does the same arithmetic, so both
 * backends decide identically for the same times.
 */
public final class TokenBucket {

  /** Refill is fractional; without this slack 0.1 + 0.2 tokens would not buy 0.3 tokens' worth. */
  static final double EPSILON = 1e-9;

  private double tokens;
  private long lastMillis;

  private TokenBucket(double tokens, long lastMillis) {
    this.tokens = tokens;
    this.lastMillis = lastMillis;
  }

  public static TokenBucket full(BucketPolicy policy, long nowMillis) {
    return new TokenBucket(policy.burst(), nowMillis);
  }

  /** Refills for the time since the last call (never for time running backwards), then takes {@code cost} if it can. */
  public Decision take(BucketPolicy policy, int cost, long nowMillis) {
    long now = Math.max(nowMillis, lastMillis);
    tokens = Math.min(policy.burst(), tokens + (now - lastMillis) * policy.tokensPerMilli());
    lastMillis = now;
    boolean allowed = tokens + EPSILON >= cost;
    if (allowed) {
      tokens = Math.max(0, tokens - cost);
    }
    return new Decision(allowed, tokens, policy, cost, false);
  }

  /** True once the bucket would be full again, so dropping it changes nothing. */
  public boolean idleSince(BucketPolicy policy, long nowMillis) {
    return tokens + (nowMillis - lastMillis) * policy.tokensPerMilli() >= policy.burst();
  }
}
