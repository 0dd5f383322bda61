package io.sagabus.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagabus.node.NodeLauncher;
import io.sagabus.node.RunningNode;
import io.sagabus.platform.config.NodeConfig;
import io.sagabus.testing.TestCluster;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.sagabus.ratelimit.contract.RateLimitAddresses;
import io.sagabus.ratelimit.contract.RateLimitFields;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The gateway filter and admin API on one standalone node with local buckets. Each test uses its own API key. */
class RateLimitHttpTest {

  private static final String SECRET = "rate-limit-test-secret-0123456789";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static RunningNode node;

  @BeforeAll
  static void startNode() {
    JsonObject config = new TestCluster().nodeConfig(new JsonObject()
        .put("roles", new JsonArray().add("inventory").add("ratelimit").add("gateway"))
        .put("security", new JsonObject().put("jwtSecret", SECRET))
        .put("ratelimit", new JsonObject()
            .put("enabled", true)
            .put("backend", "local")
            .put("tiers", new JsonObject()
                .put("free", new JsonObject().put("quota", 60).put("windowSeconds", 60).put("burst", 10))
                .put("premium", new JsonObject().put("quota", 120).put("windowSeconds", 60).put("burst", 20))
                .put("slow", new JsonObject().put("quota", 10).put("windowSeconds", 3600).put("burst", 10)))
            .put("apiKeys", new JsonObject()
                .put("key-reads", "free").put("key-premium", "premium").put("key-orders", "slow").put("key-admin", "free"))
            .put("rules", new JsonArray()
                .add(new JsonObject().put("name", "order-create").put("method", "POST").put("path", "/api/orders").put("cost", 2))
                .add(new JsonObject().put("name", "login").put("method", "POST").put("path", "/api/auth/token")
                    .put("quota", 5).put("windowSeconds", 900).put("burst", 5).put("keyBy", "account")))));
    node = TestCluster.await(NodeLauncher.start(NodeConfig.from("test", config), false));
  }

  /** RunningNode.close() chains onto a context of the Vert.x it closes, which never completes for a standalone node. */
  @AfterAll
  static void stopNode() {
    TestCluster.await(node.vertx().close());
  }

  @Test
  void allowedThenRejected_carryDraftHeadersAnd429Problem() {
    HttpResponse<String> first = send("GET", "/api/inventory", "key-reads", null, null);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("RateLimit-Policy")).hasValue("\"free\";q=60;w=60");
    assertThat(first.headers().firstValue("RateLimit")).hasValue("\"free\";r=9;t=1");
    // One token per second refills meanwhile, so a slow machine may see a request or two more than the burst.
    long started = System.nanoTime();
    int admitted = 1;
    HttpResponse<String> rejected = null;
    while (rejected == null && admitted < 100) {
      HttpResponse<String> response = send("GET", "/api/inventory", "key-reads", null, null);
      if (response.statusCode() == 429) {
        rejected = response;
      } else {
        assertThat(response.statusCode()).isEqualTo(200);
        admitted++;
      }
    }
    double elapsedSeconds = (System.nanoTime() - started) / 1e9;
    assertThat(rejected).as("a 429 after the burst").isNotNull();
    assertThat(admitted).isBetween(10, 10 + (int) Math.ceil(elapsedSeconds));
    assertThat(rejected.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(rejected.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(rejected.headers().firstValue("RateLimit-Policy")).hasValue("\"free\";q=60;w=60");
    assertThat(rejected.headers().firstValue("RateLimit").orElseThrow()).matches("\"free\";r=0;t=(9|10)");
    JsonObject problem = new JsonObject(rejected.body());
    assertThat(problem.getString("type")).isEqualTo("https://sagabus.io/problems/rate-limited");
    assertThat(problem.getInteger("status")).isEqualTo(429);
    assertThat(problem.getString("policy")).isEqualTo("free");
  }

  @Test
  void premiumApiKey_getsThePremiumTier() {
    HttpResponse<String> response = send("GET", "/api/inventory", "key-premium", null, null);
    assertThat(response.headers().firstValue("RateLimit-Policy")).hasValue("\"premium\";q=120;w=60");
    assertThat(response.headers().firstValue("RateLimit")).hasValue("\"premium\";r=19;t=1");
  }

  @Test
  void orderCreation_costsMoreThanARead() {
    for (int order = 1; order <= 5; order++) {
      HttpResponse<String> response = send("POST", "/api/orders", "key-orders", null, "{}");
      assertThat(response.statusCode()).as("order %d", order).isNotEqualTo(429);
      assertThat(response.headers().firstValue("RateLimit")).hasValue("\"slow\";r=" + (10 - 2 * order) + ";t=" + 720 * order);
    }
    assertThat(send("POST", "/api/orders", "key-orders", null, "{}").statusCode()).as("10 tokens buy 5 orders at 2 each").isEqualTo(429);
  }

  @Test
  void login_sixthAttemptForOneAccountIsRejected_andCounted() {
    for (int attempt = 1; attempt <= 5; attempt++) {
      HttpResponse<String> response = send("POST", "/api/auth/token", null, null, "{\"username\":\"bob\",\"password\":\"guess" + attempt + "\"}");
      assertThat(response.statusCode()).as("attempt %d", attempt).isNotEqualTo(429);
      assertThat(response.headers().firstValue("RateLimit-Policy")).hasValue("\"login\";q=5;w=900");
    }
    HttpResponse<String> sixth = send("POST", "/api/auth/token", null, null, "{\"username\":\"bob\",\"password\":\"guess6\"}");
    assertThat(sixth.statusCode()).isEqualTo(429);
    assertThat(sixth.headers().firstValue("Retry-After")).hasValueSatisfying(seconds -> assertThat(Long.parseLong(seconds)).isBetween(179L, 180L));
    assertThat(send("POST", "/api/auth/token", null, null, "{\"username\":\"carol\"}").statusCode()).isNotEqualTo(429);
    String metrics = send("GET", "/metrics", null, null, null).body();
    assertThat(metrics).containsPattern("sagabus_ratelimit_decisions_total\\{outcome=\"rejected\",rule=\"login\",tier=\"free\"} 1\\.0");
    assertThat(metrics).contains("sagabus_ratelimit_decision_latency_seconds");
  }

  @Test
  void adminRulesApi_needsAdminTokenAndChangesLimitsAtRuntime() {
    assertThat(send("GET", "/api/admin/ratelimit/rules", "key-admin", null, null).statusCode()).isEqualTo(401);
    assertThat(send("PUT", "/api/admin/ratelimit/rules", "key-admin", "not-a-jwt", "{}").statusCode()).isEqualTo(401);
    HttpResponse<String> forbidden = send("PUT", "/api/admin/ratelimit/rules", "key-admin", token("viewer"), "{}");
    assertThat(forbidden.statusCode()).isEqualTo(403);
    assertThat(new JsonObject(forbidden.body()).getString("type")).isEqualTo("https://sagabus.io/problems/forbidden");

    String admin = token("admin");
    JsonObject rules = new JsonObject(send("GET", "/api/admin/ratelimit/rules", "key-admin", admin, null).body());
    rules.getJsonObject("tiers").put("trial", new JsonObject().put("quota", 1).put("windowSeconds", 3600).put("burst", 1));
    rules.getJsonObject("apiKeys").put("key-trial", "trial");
    HttpResponse<String> invalid = send("PUT", "/api/admin/ratelimit/rules", "key-admin", admin,
        rules.copy().put("defaultTier", "gold").encode());
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(invalid.body()).getString("detail")).startsWith("rules.defaultTier");

    assertThat(send("PUT", "/api/admin/ratelimit/rules", "key-admin", admin, rules.encode()).statusCode()).isEqualTo(200);
    HttpResponse<String> trial = send("GET", "/api/inventory", "key-trial", null, null);
    assertThat(trial.headers().firstValue("RateLimit-Policy")).hasValue("\"trial\";q=1;w=3600");
    assertThat(send("GET", "/api/inventory", "key-trial", null, null).statusCode()).isEqualTo(429);
  }

  @Test
  void everyEventLoopOfTheNode_answersDecisionsOnThatLoop() {
    VertxInternal vertx = (VertxInternal) node.vertx();
    JsonObject request = new JsonObject().put(RateLimitFields.METHOD, "GET").put(RateLimitFields.PATH, "/api/inventory")
        .put(RateLimitFields.API_KEY, "key-loops");
    int loops = 0;
    for (EventExecutor loop : vertx.nettyEventLoopGroup()) {
      ContextInternal context = vertx.contextBuilder().withEventLoop((EventLoop) loop).build();
      // Local-only: NO_HANDLERS unless a consumer listens on this very loop.
      CompletableFuture<Boolean> allowed = new CompletableFuture<>();
      context.runOnContext(ignored -> vertx.eventBus()
          .<JsonObject>request(RateLimitAddresses.decideOnCallersLoop(node.context().nodeId()), request,
              new DeliveryOptions().setLocalOnly(true).setSendTimeout(5_000))
          .onSuccess(reply -> allowed.complete(reply.body().getBoolean(RateLimitFields.ALLOWED)))
          .onFailure(allowed::completeExceptionally));
      assertThat(allowed).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(true);
      loops++;
    }
    assertThat(loops).isGreaterThanOrEqualTo(2);
  }

  private static String token(String role) {
    JWTAuth jwt = JWTAuth.create(node.vertx(), new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)));
    return jwt.generateToken(new JsonObject().put("sub", "ops").put("roles", new JsonArray().add(role)));
  }

  private static HttpResponse<String> send(String method, String path, String apiKey, String bearer, String jsonBody) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.httpUrl() + path)).timeout(Duration.ofSeconds(10))
        .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(jsonBody));
    if (jsonBody != null) {
      request.header("Content-Type", "application/json");
    }
    if (apiKey != null) {
      request.header("X-API-Key", apiKey);
    }
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(method + " " + path + " failed: " + e, e);
    }
  }
}
