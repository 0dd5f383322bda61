package io.sagabus.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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

  @Test
  void decisionsFromManyThreadsForOneKey_admitExactlyTheBurst_evenWhileEvictionRuns() throws Exception {
    LocalBuckets local = (LocalBuckets) backend;
    BucketPolicy noRefill = new BucketPolicy("slow", 1, 3600, 5_000);
    AtomicInteger admitted = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        workers.add(threads.submit(() -> {
          for (int i = 0; i < 5_000; i++) {
            if (local.decide(key("shared"), noRefill, 1).allowed()) {
              admitted.incrementAndGet();
            }
            local.evictIdle();
          }
        }));
      }
      for (Future<?> worker : workers) {
        worker.get(30, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(admitted.get()).as("20,000 attempts on 4 threads against a burst of 5,000 and no refill").isEqualTo(5_000);
  }

  @Test
  void aPolicyChangeRacingDecisions_keepsOneBucketPerKey() throws Exception {
    LocalBuckets local = (LocalBuckets) backend;
    BucketPolicy small = new BucketPolicy("small", 1, 3600, 1_000);
    BucketPolicy large = new BucketPolicy("large", 1, 3600, 2_000);
    AtomicInteger admitted = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (BucketPolicy policy : List.of(small, large)) {
        workers.add(threads.submit(() -> {
          for (int i = 0; i < 3_000; i++) {
            if (local.decide(key("flipping"), policy, 1).allowed()) {
              admitted.incrementAndGet();
            }
          }
        }));
      }
      for (Future<?> worker : workers) {
        worker.get(30, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }
    // Tokens move with the bucket when the policy changes; a burst-2,000 policy can never let more than 2,000 through.
    assertThat(admitted.get()).isBetween(1_000, 2_000);
  }
}
