package io.sagabus.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two "nodes" on one event bus: each key is decided by its owner only, so both draw from one bucket. */
class ClusterOwnedBucketsTest {

  private final Vertx vertx = Vertx.vertx();
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final BucketPolicy burstFive = new BucketPolicy("free", 1, 3_600, 5);

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void bothNodes_drawFromTheOwnersBucket() throws Exception {
    OwnerRing ring = new OwnerRing(List.of("node-a", "node-b"));
    ClusterOwnedBuckets a = node("node-a", ring);
    ClusterOwnedBuckets b = node("node-b", ring);
    String key = "t:k:shared";
    int admitted = 0;
    for (int i = 0; i < 10; i++) {
      Decision decision = take(i % 2 == 0 ? a : b, key);
      assertThat(decision.degraded()).isFalse();
      admitted += decision.allowed() ? 1 : 0;
    }
    assertThat(admitted).as("one bucket of 5, not one per node").isEqualTo(5);
  }

  @Test
  void unreachableOwner_isReplacedByADegradedLocalDecision() throws Exception {
    ClusterOwnedBuckets alone = node("node-a", new OwnerRing(List.of("node-gone")));
    Decision decision = take(alone, "t:k:orphan");
    assertThat(decision.allowed()).isTrue();
    assertThat(decision.degraded()).isTrue();
  }

  private ClusterOwnedBuckets node(String id, OwnerRing ring) throws Exception {
    ClusterOwnedBuckets buckets = new ClusterOwnedBuckets(vertx.eventBus(), id, () -> ring,
        new LocalBuckets(now::get), new LocalBuckets(now::get), 1_000);
    vertx.eventBus().consumer(ClusterOwnedBuckets.ownerAddress(id), buckets::answerOwnerRequest).completion().await(5, TimeUnit.SECONDS);
    return buckets;
  }

  private Decision take(ClusterOwnedBuckets buckets, String key) throws Exception {
    Promise<Decision> result = Promise.promise();
    vertx.runOnContext(ignored -> buckets.take(key, burstFive, 1).onComplete(result));
    return result.future().await(10, TimeUnit.SECONDS);
  }
}
