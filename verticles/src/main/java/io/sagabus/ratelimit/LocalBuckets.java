package io.sagabus.ratelimit;

import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Buckets held in this JVM. Not thread-safe: one verticle (one event loop) owns an instance. Idle buckets (full
 * again) are dropped by {@link #evictIdle()}, which the owner calls periodically.
 */
public final class LocalBuckets implements RateLimitBackend {

  private record Entry(TokenBucket bucket, BucketPolicy policy) {}

  private final Map<String, Entry> buckets = new HashMap<>();
  private final LongSupplier clock;

  public LocalBuckets(LongSupplier clockMillis) {
    this.clock = clockMillis;
  }

  @Override
  public Future<Decision> take(String key, BucketPolicy policy, int cost) {
    return Future.succeededFuture(decide(key, policy, cost));
  }

  /** The synchronous decision, for the owner's own event loop and for benchmarks. */
  public Decision decide(String key, BucketPolicy policy, int cost) {
    long now = clock.getAsLong();
    Entry entry = buckets.get(key);
    if (entry == null || !entry.policy.equals(policy)) {
      // A changed policy keeps the tokens the client had, capped by the new burst.
      TokenBucket bucket = entry == null ? TokenBucket.full(policy, now) : entry.bucket;
      entry = new Entry(bucket, policy);
      buckets.put(key, entry);
    }
    return entry.bucket.take(policy, cost, now);
  }

  public int evictIdle() {
    long now = clock.getAsLong();
    int evicted = 0;
    for (Iterator<Entry> it = buckets.values().iterator(); it.hasNext(); ) {
      Entry entry = it.next();
      if (entry.bucket.idleSince(entry.policy, now)) {
        it.remove();
        evicted++;
      }
    }
    return evicted;
  }

  public int size() {
    return buckets.size();
  }

  @Override
  public String name() {
    return "local";
  }
}
