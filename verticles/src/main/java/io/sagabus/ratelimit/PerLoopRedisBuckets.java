package io.sagabus.ratelimit;

import io.vertx.core.Future;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Redis buckets usable from every event loop: each loop thread gets its own {@link RedisBuckets}, with its own
 * connection and watchdog, made on first use there. A decision then stays on the loop that asked for it, and the
 * single-threaded adapter is never shared between threads.
 */
final class PerLoopRedisBuckets implements RateLimitBackend {

  private final ThreadLocal<RedisBuckets> perThread;
  private final List<RedisBuckets> created = new CopyOnWriteArrayList<>();

  PerLoopRedisBuckets(Supplier<RedisBuckets> factory) {
    this.perThread = ThreadLocal.withInitial(() -> {
      RedisBuckets buckets = factory.get();
      created.add(buckets);
      return buckets;
    });
  }

  @Override
  public Future<Decision> take(String key, BucketPolicy policy, int cost) {
    return perThread.get().take(key, policy, cost);
  }

  @Override
  public String name() {
    return "redis";
  }

  /** Closes every loop's connection. */
  Future<Void> close() {
    return Future.all(created.stream().map(RedisBuckets::close).toList()).mapEmpty();
  }
}
