package io.sagabus.ratelimit;

import io.vertx.core.Future;

/** Where buckets live. Every adapter passes the same contract tests (RateLimitBackendContract). */
public interface RateLimitBackend {

  /** Takes {@code cost} tokens from the bucket {@code key} shaped by {@code policy}, creating it full if new. */
  Future<Decision> take(String key, BucketPolicy policy, int cost);

  /** For logs and metric tags: local, cluster, redis. */
  String name();
}
