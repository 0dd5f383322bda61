package io.sagabus.platform.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds the node's config in three layers: the profile JSON (from {@code cluster-config/} in the jar, or a file),
 * then environment variables, then command-line overrides. The embedded defaults need no file at all.
 */
public final class ConfigLoader {

  public static final String DEFAULT_PROFILE = "embedded";

  /** Environment variable to the config key it overrides. */
  public static final Map<String, String> ENV_KEYS = Map.ofEntries(
      Map.entry("SAGABUS_NODE_NAME", "nodeName"),
      Map.entry("SAGABUS_ROLES", "roles"),
      Map.entry("SAGABUS_HTTP_HOST", "http.host"),
      Map.entry("SAGABUS_HTTP_PORT", "http.port"),
      Map.entry("SAGABUS_HTTP_INSTANCES", "http.instances"),
      Map.entry("SAGABUS_CLUSTER_NAME", "cluster.name"),
      Map.entry("SAGABUS_CLUSTER_HOST", "cluster.host"),
      Map.entry("SAGABUS_CLUSTER_PORT", "cluster.port"),
      Map.entry("SAGABUS_CLUSTER_MEMBERS", "cluster.members"),
      Map.entry("SAGABUS_HAZELCAST_CONFIG", "cluster.hazelcastConfig"),
      Map.entry("SAGABUS_PG_URL", "postgres.url"),
      Map.entry("SAGABUS_PG_POOL_SIZE", "postgres.poolSize"),
      Map.entry("SAGABUS_PG_PREPARED_STATEMENTS", "postgres.preparedStatements"),
      Map.entry("SAGABUS_REDIS_URL", "redis.url"),
      Map.entry("SAGABUS_KAFKA_BOOTSTRAP", "kafka.bootstrap"),
      Map.entry("SAGABUS_EVENTS_TOPIC_PREFIX", "events.topicPrefix"),
      Map.entry("SAGABUS_SAGA_MODE", "saga.mode"),
      Map.entry("SAGABUS_RATELIMIT_ENABLED", "ratelimit.enabled"),
      Map.entry("SAGABUS_JWT_SECRET", "security.jwtSecret"));

  private ConfigLoader() {}

  /**
   * @param profileOrFile a profile name ({@code embedded}, {@code local-cluster}, {@code production}) or a path
   *     to a JSON file
   * @param env the environment to read overrides from
   * @param overrides dotted keys set last, from the command line
   */
  public static NodeConfig load(String profileOrFile, Map<String, String> env, Map<String, Object> overrides) {
    String profile = profileOrFile == null ? env.getOrDefault("SAGABUS_PROFILE", DEFAULT_PROFILE) : profileOrFile;
    JsonObject json = readProfile(profile);
    ENV_KEYS.forEach((variable, key) -> {
      String value = env.get(variable);
      if (value != null && !value.isEmpty()) {
        put(json, key, value);
      }
    });
    overrides.forEach((key, value) -> put(json, key, value));
    return NodeConfig.from(profile, json);
  }

  static JsonObject readProfile(String profile) {
    String text;
    Path file = Path.of(profile);
    if (profile.endsWith(".json")) {
      if (!Files.isRegularFile(file)) {
        throw new ConfigException("profile", "no such config file '" + profile + "'");
      }
      try {
        text = Files.readString(file);
      } catch (IOException e) {
        throw new ConfigException("profile", "cannot read '" + profile + "': " + e.getMessage());
      }
    } else {
      if (!profile.matches("[a-z0-9-]+")) {
        throw new ConfigException("profile", "'" + profile + "' is neither a profile name nor a .json file");
      }
      try (InputStream in = ConfigLoader.class.getResourceAsStream("/cluster-config/" + profile + ".json")) {
        if (in == null) {
          throw new ConfigException("profile", "unknown profile '" + profile + "' (known: embedded, local-cluster, production, or a path to a .json file)");
        }
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new ConfigException("profile", "cannot read profile '" + profile + "': " + e.getMessage());
      }
    }
    try {
      return new JsonObject(text);
    } catch (DecodeException e) {
      throw new ConfigException("profile", "'" + profile + "' is not valid JSON: " + firstLine(e.getMessage()));
    }
  }

  private static void put(JsonObject json, String dottedKey, Object value) {
    String[] parts = dottedKey.split("\\.");
    JsonObject target = json;
    for (int i = 0; i < parts.length - 1; i++) {
      Object child = target.getValue(parts[i]);
      if (!(child instanceof JsonObject)) {
        child = new JsonObject();
        target.put(parts[i], child);
      }
      target = (JsonObject) child;
    }
    target.put(parts[parts.length - 1], value);
  }

  private static String firstLine(String message) {
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
