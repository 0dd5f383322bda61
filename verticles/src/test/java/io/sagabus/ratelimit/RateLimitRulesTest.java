package io.sagabus.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sagabus.platform.config.ConfigException;
import io.sagabus.platform.config.ConfigReader;
import io.sagabus.ratelimit.RateLimitRules.Check;
import io.sagabus.ratelimit.RateLimitRules.RequestInfo;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitRulesTest {

  private final RateLimitRules rules = RateLimitRules.from(new ConfigReader(new JsonObject()
      .put("defaultTier", "free")
      .put("tiers", new JsonObject()
          .put("free", new JsonObject().put("quota", 60).put("windowSeconds", 60).put("burst", 10))
          .put("premium", new JsonObject().put("quota", 120).put("windowSeconds", 60).put("burst", 20)))
      .put("apiKeys", new JsonObject().put("key-gold", "premium"))
      .put("rules", RateLimitRules.DEFAULT_RULES), "ratelimit"));
  private final AtomicLong now = new AtomicLong(0);
  private final LocalBuckets buckets = new LocalBuckets(now::get);

  @Test
  void configuredApiKey_getsItsTierAndItsOwnBucket() {
    Check check = rules.resolve(get("/api/inventory", "key-gold", null, "10.0.0.1"));
    assertThat(check.tier()).isEqualTo("premium");
    assertThat(check.policy()).isEqualTo(new BucketPolicy("premium", 120, 60, 20));
    assertThat(check.bucketKey()).isEqualTo("t:k:key-gold");
    assertThat(admittedInBurst(get("/api/inventory", "key-gold", null, "10.0.0.1"))).isEqualTo(20);
    assertThat(admittedInBurst(get("/api/inventory", null, null, "10.0.0.1"))).as("the IP's free bucket is separate").isEqualTo(10);
  }

  @Test
  void unknownApiKey_fallsBackToUserThenClientIp() {
    assertThat(rules.resolve(get("/api/inventory", "guessed", "alice", "10.0.0.1")).bucketKey()).isEqualTo("t:u:alice");
    Check anonymous = rules.resolve(get("/api/inventory", "guessed", null, "10.0.0.1"));
    assertThat(anonymous.bucketKey()).isEqualTo("t:ip:10.0.0.1");
    assertThat(anonymous.tier()).isEqualTo("free");
  }

  @Test
  void orderCreation_costsFiveTokensOfTheTierBucket() {
    RequestInfo createOrder = new RequestInfo("POST", "/api/orders", null, null, "10.0.0.2", null);
    Check check = rules.resolve(createOrder);
    assertThat(check.cost()).isEqualTo(5);
    assertThat(check.rule()).isEqualTo("order-create");
    assertThat(check.bucketKey()).isEqualTo(rules.resolve(get("/api/orders", null, null, "10.0.0.2")).bucketKey());
    assertThat(take(createOrder).allowed()).isTrue();
    assertThat(take(createOrder).allowed()).isTrue();
    assertThat(take(createOrder).allowed()).as("10 tokens buy two orders").isFalse();
    assertThat(rules.resolve(get("/api/orders", null, null, "10.0.0.2")).cost()).as("a read costs one").isEqualTo(1);
  }

  @Test
  void login_blocksTheSixthAttemptWithinFifteenMinutesPerAccount() {
    for (int attempt = 1; attempt <= 5; attempt++) {
      assertThat(take(login("bob", "10.0.0." + attempt)).allowed()).as("attempt %d", attempt).isTrue();
      now.addAndGet(20_000);
    }
    Decision sixth = take(login("bob", "10.0.0.99"));
    assertThat(sixth.allowed()).as("sixth attempt, 100 s after the first, from yet another IP").isFalse();
    assertThat(sixth.policy().name()).isEqualTo("login");
    assertThat(sixth.retryAfterSeconds()).as("one attempt per 180 s comes back").isEqualTo(80);
    assertThat(take(login("carol", "10.0.0.99")).allowed()).as("another account is unaffected").isTrue();
    now.addAndGet(79_000);
    assertThat(take(login("bob", "10.0.0.99")).allowed()).isFalse();
    now.addAndGet(1_000);
    assertThat(take(login("bob", "10.0.0.99")).allowed()).isTrue();
  }

  @Test
  void invalidRules_nameTheBadKey() {
    assertThatThrownBy(() -> parse(new JsonObject().put("tiers", new JsonObject().put("free", new JsonObject().put("quota", 0)))))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("rules.tiers.free.quota");
    assertThatThrownBy(() -> parse(new JsonObject().put("apiKeys", new JsonObject().put("k", "gold"))))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("rules.apiKeys.k");
    assertThatThrownBy(() -> parse(new JsonObject().put("rules", new JsonArray().add(new JsonObject().put("name", "x").put("path", "/a").put("keyBy", "account")))))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("rules.rules[0].keyBy");
  }

  @Test
  void rulesDocument_roundTrips() {
    JsonObject document = rules.toJson();
    assertThat(parse(document).toJson()).isEqualTo(document);
  }

  private static RateLimitRules parse(JsonObject json) {
    return RateLimitRules.from(new ConfigReader(json, "rules"));
  }

  private int admittedInBurst(RequestInfo request) {
    int admitted = 0;
    for (int i = 0; i < 50; i++) {
      admitted += take(request).allowed() ? 1 : 0;
    }
    return admitted;
  }

  private Decision take(RequestInfo request) {
    Check check = rules.resolve(request);
    return buckets.decide(check.bucketKey(), check.policy(), check.cost());
  }

  private static RequestInfo get(String path, String apiKey, String user, String ip) {
    return new RequestInfo("GET", path, apiKey, user, ip, null);
  }

  private static RequestInfo login(String account, String ip) {
    return new RequestInfo("POST", "/api/auth/token", null, null, ip, account);
  }
}
