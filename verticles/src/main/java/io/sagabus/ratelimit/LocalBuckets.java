package io.sagabus.ratelimit;

import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Buckets held in this JVM, safe to use from every event loop of the node: the map is concurrent and each bucket's
 * refill-then-take runs under that bucket's own lock, so decisions for one key are exact whichever loop makes them,
 * and decisions for different keys never wait for each other. Idle buckets (full again) are dropped by
 * {@link #evictIdle()}, which the owner calls periodically.
 */
public final class LocalBuckets implements RateLimitBackend {

  /** A bucket under its policy; {@code evicted} (guarded by the entry's lock) sends a racing decision to a fresh entry. */
  private static final class Entry {
    private final TokenBucket bucket;
    private final BucketPolicy policy;
    private boolean evicted;

    private Entry(TokenBucket bucket, BucketPolicy policy) {
      this.bucket = bucket;
      this.policy = policy;
    }
  }

  private final ConcurrentHashMap<String, Entry> buckets = new ConcurrentHashMap<>();
  private final LongSupplier clock;

  public LocalBuckets(LongSupplier clockMillis) {
    this.clock = clockMillis;
  }

  @Override
  public Future<Decision> take(String key, BucketPolicy policy, int cost) {
    return Future.succeededFuture(decide(key, policy, cost));
  }

  /** The synchronous decision, for any event loop of the node and for benchmarks. */
  public Decision decide(String key, BucketPolicy policy, int cost) {
    long now = clock.getAsLong();
    while (true) {
      Entry entry = buckets.get(key);
      if (entry == null || !entry.policy.equals(policy)) {
        entry = buckets.compute(key, (ignored, old) -> withPolicy(old, policy, now));
      }
      synchronized (entry) {
        if (!entry.evicted) {
          return entry.bucket.take(policy, cost, now);
        }
      }
      // Evicted but maybe not yet unmapped: unmap it (outside its lock) before looking again.
      buckets.remove(key, entry);
    }
  }

  /** A changed policy keeps the tokens the client had, capped by the new burst. */
  private static Entry withPolicy(Entry old, BucketPolicy policy, long now) {
    if (old != null && old.policy.equals(policy)) {
      return old;
    }
    if (old == null) {
      return new Entry(TokenBucket.full(policy, now), policy);
    }
    synchronized (old) {
      old.evicted = true;
      return new Entry(old.bucket, policy);
    }
  }

  /**
   * Drops buckets that are full again. Lock order: a map bin's lock may be held while taking an entry's
   * ({@link #withPolicy} runs inside {@code compute}), never the reverse, so the entry is unmapped after its lock is
   * released.
   */
  public int evictIdle() {
    long now = clock.getAsLong();
    int evicted = 0;
    for (Map.Entry<String, Entry> mapping : buckets.entrySet()) {
      Entry entry = mapping.getValue();
      boolean idle;
      synchronized (entry) {
        idle = !entry.evicted && entry.bucket.idleSince(entry.policy, now);
        entry.evicted |= idle;
      }
      if (idle) {
        buckets.remove(mapping.getKey(), entry);
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
