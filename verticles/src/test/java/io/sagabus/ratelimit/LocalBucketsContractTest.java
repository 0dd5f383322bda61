package io.sagabus.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LocalBucketsContractTest extends RateLimitBackendContract {

  @Override
  protected RateLimitBackend create(Vertx vertx, AtomicLong now) {
    return new LocalBuckets(now::get);
  }

  @Test
  void bucketsThatAreFullAgain_areEvicted() {
    LocalBuckets local = (LocalBuckets) backend;
    BucketPolicy policy = new BucketPolicy("free", 60, 60, 10);
    local.decide(key("drained"), policy, 10);
    local.decide(key("touched"), policy, 1);
    now.addAndGet(1_000);
    assertThat(local.evictIdle()).as("touched is full again after 1 s").isEqualTo(1);
    now.addAndGet(9_000);
    assertThat(local.evictIdle()).isEqualTo(1);
    assertThat(local.size()).isZero();
  }
}
