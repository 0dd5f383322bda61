package io.sagabus.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sagabus.node.NodeLauncher;
import io.sagabus.node.RunningNode;
import io.sagabus.platform.config.NodeConfig;
import io.sagabus.testing.FreePorts;
import io.sagabus.testing.TestCluster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Redis goes away and comes back under a running node; the outage policy decides, and no restart is needed. */
class RedisOutageTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String PREFIX = "sagabus:rl:";
  private final RedisServerProcess redis = new RedisServerProcess(FreePorts.next());
  private RunningNode node;

  @AfterEach
  void stop() {
    if (node != null) {
      TestCluster.await(node.vertx().close());
    }
    redis.stop();
  }

  @Test
  void failOpen_fallsBackToLocalLimitsThenReturnsToRedisByItself() {
    redis.start();
    node = startNode("fail-open");
    assertThat(statuses("key-before", 4)).containsExactly(200, 200, 200, 429);
    assertThat(redis.exists(PREFIX + "t:k:key-before")).as("decided in Redis").isTrue();

    redis.stop();
    assertThat(statuses("key-during", 4)).as("allowed by the local fallback, which still limits").containsExactly(200, 200, 200, 429);
    String metrics = get("/metrics", null).body();
    assertThat(metric(metrics, "sagabus_ratelimit_fallback_activations_total")).isEqualTo(1.0);
    assertThat(metric(metrics, "sagabus_ratelimit_fallback_decisions_total")).isGreaterThanOrEqualTo(4.0);

    redis.start();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      assertThat(get("/api/inventory", "key-after").statusCode()).isEqualTo(200);
      assertThat(redis.exists(PREFIX + "t:k:key-after")).as("decided in Redis again").isTrue();
    });
    assertThat(metric(get("/metrics", null).body(), "sagabus_ratelimit_fallback_activations_total")).isEqualTo(1.0);
  }

  @Test
  void failClosed_refusesWith503WhileRedisIsDownAndRecoversByItself() {
    redis.start();
    node = startNode("fail-closed");
    assertThat(get("/api/inventory", "key-before").statusCode()).isEqualTo(200);

    redis.stop();
    HttpResponse<String> refused = get("/api/inventory", "key-during");
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(new JsonObject(refused.body()).getString("type")).isEqualTo("https://sagabus.io/problems/rate-limit-unavailable");

    redis.start();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> assertThat(get("/api/inventory", "key-after").statusCode()).isEqualTo(200));
    assertThat(redis.exists(PREFIX + "t:k:key-after")).isTrue();
  }

  @Test
  void hungRedis_isGivenUpOnAfterTheTimeoutAndTheFallbackDecides() {
    redis.start();
    node = startNode("fail-open");
    assertThat(get("/api/inventory", "key-before").statusCode()).isEqualTo(200);

    redis.freeze();
    HttpResponse<String> duringHang = get("/api/inventory", "key-during");
    assertThat(duringHang.statusCode()).isEqualTo(200);
    assertThat(duringHang.headers().firstValue("RateLimit"))
        .as("the 300 ms Redis timeout handed the decision to the fallback; a gateway timeout (5 s) would pass it without headers")
        .isPresent();

    redis.thaw();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      assertThat(get("/api/inventory", "key-after").statusCode()).isEqualTo(200);
      assertThat(redis.exists(PREFIX + "t:k:key-after")).isTrue();
    });
  }

  private RunningNode startNode(String outagePolicy) {
    JsonObject config = new TestCluster().nodeConfig(new JsonObject()
        .put("roles", new JsonArray().add("inventory").add("ratelimit").add("gateway"))
        .put("redis", new JsonObject().put("url", redis.url()))
        .put("ratelimit", new JsonObject()
            .put("enabled", true)
            .put("backend", "redis")
            .put("onBackendFailure", outagePolicy)
            .put("decisionTimeoutMs", 5_000)
            .put("redis", new JsonObject().put("timeoutMs", 300).put("probeIntervalMs", 200))
            .put("tiers", new JsonObject().put("free", new JsonObject().put("quota", 1).put("windowSeconds", 3600).put("burst", 3)))
            .put("apiKeys", new JsonObject().put("key-before", "free").put("key-during", "free").put("key-after", "free"))));
    return TestCluster.await(NodeLauncher.start(NodeConfig.from("test", config), false));
  }

  private int[] statuses(String apiKey, int requests) {
    int[] statuses = new int[requests];
    for (int i = 0; i < requests; i++) {
      statuses[i] = get("/api/inventory", apiKey).statusCode();
    }
    return statuses;
  }

  private static double metric(String scrape, String name) {
    Matcher matcher = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(scrape);
    assertThat(matcher.find()).as(name + " in /metrics").isTrue();
    return Double.parseDouble(matcher.group(2));
  }

  private HttpResponse<String> get(String path, String apiKey) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.httpUrl() + path)).timeout(Duration.ofSeconds(10)).GET();
    if (apiKey != null) {
      request.header("X-API-Key", apiKey);
    }
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("GET " + path + " failed: " + e, e);
    }
  }
}
