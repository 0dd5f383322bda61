package io.sagabus.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sagabus.node.RunningNode;
import io.sagabus.ratelimit.contract.RateLimitAddresses;
import io.sagabus.testing.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Three gateway nodes share one limit (one API key) while many clients hammer all three for 10 s. The admitted
 * count must never exceed burst + rate x elapsed, plus {@value #TOLERANCE} token of floating-point slack
 * (docs/ratelimit.md explains why no more is needed).
 */
class ClusterExactnessTest {

  static final int BURST = 50;
  static final int RATE_PER_SECOND = 200;
  static final int TOLERANCE = 1;
  static final int CLIENTS = 30;
  static final Duration BURST_DURATION = Duration.ofSeconds(10);

  @Test
  void localBackend_threeGatewaysAdmitNoMoreThanOneSharedBucketAllows() throws Exception {
    assertExactAcrossCluster("local");
  }

  @Test
  void redisBackend_threeGatewaysAdmitNoMoreThanOneSharedBucketAllows() throws Exception {
    assertExactAcrossCluster("redis");
  }

  private void assertExactAcrossCluster(String backend) throws Exception {
    TestCluster cluster = new TestCluster();
    List<RunningNode> nodes = new ArrayList<>();
    try {
      JsonObject extra = new JsonObject()
          .put("roles", new JsonArray().add("ratelimit").add("gateway"))
          .put("ratelimit", new JsonObject()
              .put("enabled", true)
              .put("backend", backend)
              .put("decisionTimeoutMs", 5_000)
              .put("forwardTimeoutMs", 5_000)
              .put("redis", new JsonObject().put("keyPrefix", "sagabus-test-" + UUID.randomUUID() + ":").put("timeoutMs", 5_000))
              .put("tiers", new JsonObject().put("shared", new JsonObject().put("quota", RATE_PER_SECOND).put("windowSeconds", 1).put("burst", BURST)))
              .put("apiKeys", new JsonObject().put("shared-key", "shared"))
              .put("rules", new JsonArray()));
      if (backend.equals("redis")) {
        extra.put("redis", new JsonObject().put("url", RedisBucketsContractTest.REDIS_URL));
      }
      for (int i = 0; i < 3; i++) {
        nodes.add(cluster.startNode(extra.copy().put("nodeName", backend + "-gateway-" + i)));
      }
      awaitEveryNodeSeesThreeOwners(nodes);

      Burst result = burst(nodes);
      double bound = BURST + RATE_PER_SECOND * result.elapsedSeconds() + TOLERANCE;
      System.out.printf("%s backend: admitted %d, rejected %d in %.3f s; bound %.1f%n",
          backend, result.admitted(), result.rejected(), result.elapsedSeconds(), bound);
      assertThat(result.unexpected()).as("statuses other than admitted (404: no such route) or 429").isEmpty();
      assertThat(result.rejected()).as("the clients must offer more than the limit, or this proves nothing").isGreaterThan(result.admitted());
      assertThat((double) result.admitted()).as("admitted within burst + rate x elapsed + tolerance").isLessThanOrEqualTo(bound);
      // Stalls of a busy machine leave the bucket full and waste refill, so only ask for refill beyond the burst.
      assertThat(result.admitted()).as("the bucket refills and admits beyond its burst, it does not reject everything")
          .isGreaterThanOrEqualTo(BURST + RATE_PER_SECOND);

      assertRulesChangeReachesEveryNode(nodes);
    } finally {
      // RunningNode.close() (and so TestCluster.close()) waits 90 s on a dead context; closing Vert.x from here does not.
      for (RunningNode node : nodes) {
        TestCluster.await(node.vertx().close());
      }
    }
  }

  /** The admin API's event-bus side: a rules document put on one node is in force on all three. */
  private static void assertRulesChangeReachesEveryNode(List<RunningNode> nodes) {
    DeliveryOptions timeout = new DeliveryOptions().setSendTimeout(5_000);
    JsonObject rules = TestCluster.await(nodes.get(0).vertx().eventBus().<JsonObject>request(RateLimitAddresses.RULES_GET, new JsonObject(), timeout)).body();
    rules.getJsonObject("tiers").put("changed", new JsonObject().put("quota", 7).put("windowSeconds", 70).put("burst", 7));
    TestCluster.await(nodes.get(0).vertx().eventBus().request(RateLimitAddresses.RULES_PUT, rules, timeout));
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      for (RunningNode node : nodes) {
        JsonObject status = TestCluster.await(node.vertx().eventBus().<JsonObject>request(
            RateLimitVerticle.statusAddress(node.nodeId()), new JsonObject(), timeout)).body();
        assertThat(status.getJsonObject("rules").getJsonObject("tiers").getJsonObject("changed")).as(node.nodeId()).isNotNull();
      }
    });
  }

  private static void awaitEveryNodeSeesThreeOwners(List<RunningNode> nodes) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      for (RunningNode node : nodes) {
        JsonObject status = TestCluster.await(node.vertx().eventBus().<JsonObject>request(
            RateLimitVerticle.statusAddress(node.nodeId()), new JsonObject(), new DeliveryOptions().setSendTimeout(2_000))).body();
        assertThat(status.getJsonArray("owners")).hasSize(3);
      }
    });
  }

  record Burst(long admitted, long rejected, Map<Integer, Long> unexpected, double elapsedSeconds) {}

  /** CLIENTS loops, spread over the three gateways, each sending its next request as soon as the last answers. */
  private static Burst burst(List<RunningNode> nodes) throws Exception {
    Vertx clientVertx = Vertx.vertx();
    HttpClient http = clientVertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(CLIENTS));
    AtomicLong admitted = new AtomicLong();
    AtomicLong rejected = new AtomicLong();
    Map<Integer, Long> unexpected = new ConcurrentHashMap<>();
    AtomicLong lastAnswer = new AtomicLong();
    CountDownLatch done = new CountDownLatch(CLIENTS);
    long start = System.nanoTime();
    long deadline = start + BURST_DURATION.toNanos();
    for (int client = 0; client < CLIENTS; client++) {
      URI target = URI.create(nodes.get(client % nodes.size()).httpUrl());
      clientVertx.runOnContext(ignored -> loop(http, target, deadline, admitted, rejected, unexpected, lastAnswer, done));
    }
    assertThat(done.await(BURST_DURATION.toSeconds() + 60, TimeUnit.SECONDS)).as("clients finished").isTrue();
    clientVertx.close().await(10, TimeUnit.SECONDS);
    return new Burst(admitted.get(), rejected.get(), Map.copyOf(unexpected), (lastAnswer.get() - start) / 1e9);
  }

  private static void loop(HttpClient http, URI target, long deadline, AtomicLong admitted, AtomicLong rejected,
      Map<Integer, Long> unexpected, AtomicLong lastAnswer, CountDownLatch done) {
    if (System.nanoTime() >= deadline) {
      done.countDown();
      return;
    }
    http.request(HttpMethod.GET, target.getPort(), target.getHost(), "/api/exactness-probe")
        .compose(request -> request.putHeader("X-API-Key", "shared-key").send())
        .compose(response -> response.body().map(ignored -> response.statusCode()))
        .onComplete(result -> {
          lastAnswer.accumulateAndGet(System.nanoTime(), Math::max);
          int status = result.succeeded() ? result.result() : -1;
          if (status == 429) {
            rejected.incrementAndGet();
          } else if (status == 404) {
            admitted.incrementAndGet();
          } else {
            unexpected.merge(status, 1L, Long::sum);
          }
          loop(http, target, deadline, admitted, rejected, unexpected, lastAnswer, done);
        });
  }
}
