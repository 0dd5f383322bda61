package io.sagabus.ratelimit;

import io.sagabus.platform.config.ConfigException;
import io.sagabus.platform.config.ConfigReader;
import io.sagabus.ratelimit.FailoverBackend.OutagePolicy;

/** The {@code ratelimit} config section, apart from the rules (see {@link RateLimitRules}). */
public record RateLimitSettings(
    String backend,
    OutagePolicy outagePolicy,
    long forwardTimeoutMillis,
    String redisKeyPrefix,
    long redisTimeoutMillis,
    long redisProbeMillis,
    long evictIntervalMillis) {

  public static RateLimitSettings from(ConfigReader section) {
    String backend = section.string("backend", "auto");
    if (!backend.equals("auto") && !backend.equals("local") && !backend.equals("redis")) {
      throw new ConfigException(section.key("backend"), "must be auto, local or redis, got '" + backend + "'");
    }
    OutagePolicy policy;
    try {
      policy = OutagePolicy.parse(section.string("onBackendFailure", "fail-open"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(section.key("onBackendFailure"), e.getMessage());
    }
    ConfigReader redis = section.section("redis");
    return new RateLimitSettings(
        backend,
        policy,
        section.longValue("forwardTimeoutMs", 200, 1, 60_000),
        redis.string("keyPrefix", "sagabus:rl:"),
        redis.longValue("timeoutMs", 200, 1, 60_000),
        redis.longValue("probeIntervalMs", 1_000, 10, 600_000),
        section.longValue("evictIntervalMs", 10_000, 100, 3_600_000));
  }
}
