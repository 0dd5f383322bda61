package io.sagabus.ratelimit;

import io.sagabus.platform.config.ConfigException;
import io.sagabus.platform.config.ConfigReader;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tiers, API keys and per-endpoint rules: which bucket a request draws from and how many tokens it costs.
 * Immutable; a rules change builds a new instance.
 *
 * <p>A request is identified by a configured API key (its tier), else the authenticated user, else the client IP
 * (both the default tier). The first matching endpoint rule either sets the cost against the tier's bucket, or,
 * when it has its own quota, draws from a bucket of its own, keyed by the account the request names when
 * {@code keyBy} is {@code account}.
 */
public final class RateLimitRules {

  public static final String DEFAULT_RULE = "default";

  /** Used when a config has no {@code rules}: orders cost more than reads, and logins are guarded per account. */
  static final JsonArray DEFAULT_RULES = new JsonArray()
      .add(new JsonObject().put("name", "order-create").put("method", "POST").put("path", "/api/orders").put("cost", 5))
      .add(new JsonObject().put("name", "login").put("method", "POST").put("path", "/api/auth/token")
          .put("quota", 5).put("windowSeconds", 900).put("burst", 5).put("keyBy", "account"));

  /** An endpoint rule; {@code ownBucket} is null when it only sets the cost. */
  public record EndpointRule(String name, String method, String path, int cost, BucketPolicy ownBucket, boolean keyByAccount) {

    boolean matches(String requestMethod, String requestPath) {
      if (method != null && !method.equalsIgnoreCase(requestMethod)) {
        return false;
      }
      if (path.endsWith("/*")) {
        String prefix = path.substring(0, path.length() - 1);
        return requestPath.startsWith(prefix) || requestPath.equals(prefix.substring(0, prefix.length() - 1));
      }
      return path.equals(requestPath);
    }

    JsonObject toJson() {
      JsonObject json = new JsonObject().put("name", name).put("path", path).put("cost", cost);
      if (method != null) {
        json.put("method", method);
      }
      if (ownBucket != null) {
        json.mergeIn(ownBucket.toJson()).put("keyBy", keyByAccount ? "account" : "client");
      }
      return json;
    }
  }

  /** What the limiter knows about one request. Any identity field may be null. */
  public record RequestInfo(String method, String path, String apiKey, String user, String clientIp, String account) {}

  /** The bucket to draw from; tier and rule are the (bounded) metric labels. */
  public record Check(String bucketKey, BucketPolicy policy, int cost, String tier, String rule) {}

  private final String defaultTier;
  private final Map<String, BucketPolicy> tiers;
  private final Map<String, String> apiKeyTiers;
  private final List<EndpointRule> rules;

  private RateLimitRules(String defaultTier, Map<String, BucketPolicy> tiers, Map<String, String> apiKeyTiers, List<EndpointRule> rules) {
    this.defaultTier = defaultTier;
    this.tiers = tiers;
    this.apiKeyTiers = apiKeyTiers;
    this.rules = rules;
  }

  /** Reads and validates a rules document; a ConfigException names the bad key. */
  public static RateLimitRules from(ConfigReader section) {
    Map<String, BucketPolicy> tiers = new LinkedHashMap<>();
    if (section.has("tiers")) {
      ConfigReader tierSection = section.section("tiers");
      for (String name : tierSection.raw().fieldNames()) {
        if (!name.matches("[a-z0-9][a-z0-9-]{0,39}")) {
          throw new ConfigException(tierSection.key(name), "tier names must be 1-40 lowercase letters, digits or dashes (they are metric labels)");
        }
        tiers.put(name, policy(name, tierSection.section(name), null));
      }
    } else {
      tiers.put("free", new BucketPolicy("free", 60, 60, 10));
      tiers.put("premium", new BucketPolicy("premium", 120, 60, 20));
    }
    if (tiers.isEmpty()) {
      throw new ConfigException(section.key("tiers"), "must define at least one tier");
    }
    String defaultTier = section.string("defaultTier", tiers.keySet().iterator().next());
    if (!tiers.containsKey(defaultTier)) {
      throw new ConfigException(section.key("defaultTier"), "names no tier (known: " + String.join(", ", tiers.keySet()) + ")");
    }
    Map<String, String> apiKeys = new LinkedHashMap<>();
    if (section.has("apiKeys")) {
      ConfigReader keys = section.section("apiKeys");
      for (String key : keys.raw().fieldNames()) {
        String tier = keys.string(key, null);
        if (tier == null || !tiers.containsKey(tier)) {
          throw new ConfigException(keys.key(key), "must name a tier (known: " + String.join(", ", tiers.keySet()) + ")");
        }
        apiKeys.put(key, tier);
      }
    }
    List<EndpointRule> rules = new ArrayList<>();
    Object rawRules = section.has("rules") ? section.raw().getValue("rules") : DEFAULT_RULES;
    if (rawRules != null && !(rawRules instanceof JsonArray)) {
      throw new ConfigException(section.key("rules"), "must be a list of rule objects");
    }
    if (rawRules != null) {
      JsonArray list = (JsonArray) rawRules;
      for (int i = 0; i < list.size(); i++) {
        if (!(list.getValue(i) instanceof JsonObject ruleJson)) {
          throw new ConfigException(section.key("rules[" + i + "]"), "must be an object");
        }
        rules.add(rule(new ConfigReader(ruleJson, section.key("rules[" + i + "]"))));
      }
    }
    return new RateLimitRules(defaultTier, Map.copyOf(tiers), Map.copyOf(apiKeys), List.copyOf(rules));
  }

  public Check resolve(RequestInfo request) {
    String tier = request.apiKey() != null ? apiKeyTiers.getOrDefault(request.apiKey(), defaultTier) : defaultTier;
    // Only configured keys identify a client; an unknown key must not buy a fresh bucket per guess.
    String client;
    if (request.apiKey() != null && apiKeyTiers.containsKey(request.apiKey())) {
      client = "k:" + request.apiKey();
    } else if (request.user() != null) {
      client = "u:" + request.user();
    } else {
      client = "ip:" + request.clientIp();
    }
    EndpointRule rule = null;
    for (EndpointRule candidate : rules) {
      if (candidate.matches(request.method(), request.path())) {
        rule = candidate;
        break;
      }
    }
    if (rule == null) {
      return new Check("t:" + client, tiers.get(tier), 1, tier, DEFAULT_RULE);
    }
    if (rule.ownBucket() != null) {
      String subject = rule.keyByAccount() && request.account() != null ? "a:" + request.account() : client;
      return new Check("r:" + rule.name() + ":" + subject, rule.ownBucket(), rule.cost(), tier, rule.name());
    }
    return new Check("t:" + client, tiers.get(tier), rule.cost(), tier, rule.name());
  }

  public JsonObject toJson() {
    JsonObject tierJson = new JsonObject();
    tiers.forEach((name, policy) -> tierJson.put(name, policy.toJson()));
    JsonObject keys = new JsonObject();
    apiKeyTiers.forEach(keys::put);
    JsonArray ruleJson = new JsonArray();
    rules.forEach(rule -> ruleJson.add(rule.toJson()));
    return new JsonObject().put("defaultTier", defaultTier).put("tiers", tierJson).put("apiKeys", keys).put("rules", ruleJson);
  }

  private static BucketPolicy policy(String name, ConfigReader section, BucketPolicy fallback) {
    int quota = section.integer("quota", fallback == null ? -1 : fallback.quota(), 1, 1_000_000_000);
    if (quota < 0) {
      throw new ConfigException(section.key("quota"), "is required");
    }
    int window = section.integer("windowSeconds", 60, 1, 86_400 * 7);
    int burst = section.integer("burst", quota, 1, 1_000_000_000);
    return new BucketPolicy(name, quota, window, burst);
  }

  private static EndpointRule rule(ConfigReader section) {
    String name = section.requiredString("name");
    if (!name.matches("[a-z0-9][a-z0-9-]{0,39}")) {
      throw new ConfigException(section.key("name"), "must be 1-40 lowercase letters, digits or dashes (it is a metric label)");
    }
    String method = section.string("method", null);
    String path = section.requiredString("path");
    if (!path.startsWith("/")) {
      throw new ConfigException(section.key("path"), "must start with /");
    }
    int cost = section.integer("cost", 1, 1, 1_000_000);
    BucketPolicy own = section.has("quota") ? policy(name, section, null) : null;
    String keyBy = section.string("keyBy", "client");
    if (!keyBy.equals("client") && !keyBy.equals("account")) {
      throw new ConfigException(section.key("keyBy"), "must be client or account, got '" + keyBy + "'");
    }
    if (keyBy.equals("account") && own == null) {
      throw new ConfigException(section.key("keyBy"), "account keys need the rule's own quota");
    }
    return new EndpointRule(name, method == null ? null : method.toUpperCase(), path, cost, own, keyBy.equals("account"));
  }
}
