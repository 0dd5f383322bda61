package io.sagabus.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link RateLimitBackend} must do. Time is injected, so each expectation is exact. */
abstract class RateLimitBackendContract {

  protected Vertx vertx;
  protected Context context;
  protected final AtomicLong now = new AtomicLong(1_700_000_000_000L);
  protected RateLimitBackend backend;
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final BucketPolicy sixtyPerMinuteBurstTen = new BucketPolicy("free", 60, 60, 10);

  /** A backend whose clock is {@code now}. Called on {@link #context}. */
  protected abstract RateLimitBackend create(Vertx vertx, AtomicLong now);

  @BeforeEach
  void startBackend() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    backend = onContext(() -> Future.succeededFuture(create(vertx, now)));
  }

  @AfterEach
  void stopVertx() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void newBucket_admitsBurstThenExactlyTheRefillRate() {
    String key = key("burst");
    for (int i = 0; i < 10; i++) {
      assertThat(take(key, sixtyPerMinuteBurstTen, 1).allowed()).as("burst request %d", i + 1).isTrue();
    }
    Decision rejected = take(key, sixtyPerMinuteBurstTen, 1);
    assertThat(rejected.allowed()).isFalse();
    assertThat(rejected.retryAfterSeconds()).isEqualTo(1);
    now.addAndGet(999);
    assertThat(take(key, sixtyPerMinuteBurstTen, 1).allowed()).isFalse();
    now.addAndGet(1);
    assertThat(take(key, sixtyPerMinuteBurstTen, 1).allowed()).isTrue();
    assertThat(take(key, sixtyPerMinuteBurstTen, 1).allowed()).isFalse();
    now.addAndGet(5_000);
    int admitted = 0;
    for (int i = 0; i < 20; i++) {
      admitted += take(key, sixtyPerMinuteBurstTen, 1).allowed() ? 1 : 0;
    }
    assertThat(admitted).as("5 s at 1 token/s").isEqualTo(5);
  }

  @Test
  void idleBucket_refillsNoFurtherThanItsBurst() {
    String key = key("idle");
    take(key, sixtyPerMinuteBurstTen, 10);
    now.addAndGet(3_600_000);
    int admitted = 0;
    for (int i = 0; i < 30; i++) {
      admitted += take(key, sixtyPerMinuteBurstTen, 1).allowed() ? 1 : 0;
    }
    assertThat(admitted).isEqualTo(10);
  }

  @Test
  void costlyRequest_drawsSeveralTokensAndReportsWhatIsLeft() {
    String key = key("cost");
    Decision first = take(key, sixtyPerMinuteBurstTen, 3);
    assertThat(first.allowed()).isTrue();
    assertThat(first.remaining()).isEqualTo(7);
    assertThat(first.resetSeconds()).isEqualTo(3);
    take(key, sixtyPerMinuteBurstTen, 3);
    take(key, sixtyPerMinuteBurstTen, 3);
    Decision fourth = take(key, sixtyPerMinuteBurstTen, 3);
    assertThat(fourth.allowed()).isFalse();
    assertThat(fourth.remaining()).isEqualTo(1);
    assertThat(fourth.retryAfterSeconds()).isEqualTo(2);
  }

  @Test
  void costAboveBurst_isNeverAdmitted() {
    Decision decision = take(key("huge"), sixtyPerMinuteBurstTen, 11);
    assertThat(decision.allowed()).isFalse();
    assertThat(decision.remaining()).isEqualTo(10);
    assertThat(decision.retryAfterSeconds()).isEqualTo(60);
  }

  @Test
  void clockRunningBackwards_neverRefills() {
    String key = key("backwards");
    take(key, sixtyPerMinuteBurstTen, 10);
    now.addAndGet(-30_000);
    assertThat(take(key, sixtyPerMinuteBurstTen, 1).allowed()).isFalse();
    now.addAndGet(30_999);
    assertThat(take(key, sixtyPerMinuteBurstTen, 1).allowed()).as("only 999 ms passed since the last decision").isFalse();
    now.addAndGet(1);
    assertThat(take(key, sixtyPerMinuteBurstTen, 1).allowed()).isTrue();
  }

  @Test
  void keys_haveIndependentBuckets() {
    take(key("a"), sixtyPerMinuteBurstTen, 10);
    assertThat(take(key("a"), sixtyPerMinuteBurstTen, 1).allowed()).isFalse();
    assertThat(take(key("b"), sixtyPerMinuteBurstTen, 1).allowed()).isTrue();
  }

  protected String key(String name) {
    return "contract:" + run + ":" + name;
  }

  protected Decision take(String key, BucketPolicy policy, int cost) {
    return onContext(() -> backend.take(key, policy, cost));
  }

  protected <T> T onContext(java.util.function.Supplier<Future<T>> action) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(ignored -> action.get().onComplete(promise));
    try {
      return promise.future().await(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("backend did not answer in 10 s", e);
    }
  }
}
