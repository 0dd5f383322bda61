package io.sagabus.platform.config;

import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * The node-level settings every node needs. Service-specific sections stay in {@link #raw()} and are read,
 * and validated, by the service that owns them.
 */
public record NodeConfig(
    String profile,
    String nodeName,
    Http http,
    Cluster cluster,
    List<String> roles,
    Optional<String> postgresUrl,
    int postgresPoolSize,
    boolean postgresPreparedStatements,
    Optional<String> redisUrl,
    Optional<String> kafkaBootstrap,
    JsonObject raw) {

  /**
   * @param instances gateway verticle instances, each serving HTTP on its own event loop and all sharing the port;
   *     by default one per event loop
   */
  public record Http(String host, int port, int instances) {}

  /**
   * @param hazelcastConfig a file path, or a resource under the jar's {@code cluster-config/}
   * @param host the address the event bus binds and advertises; null lets Vert.x choose
   * @param port the first Hazelcast port to try; 0 keeps the file's setting
   * @param members TCP-IP members ({@code host:port}) replacing the file's list; empty keeps the file's
   */
  public record Cluster(String name, String hazelcastConfig, String host, int port, List<String> members) {}

  public static NodeConfig from(String profile, JsonObject json) {
    ConfigReader root = ConfigReader.root(json);
    ConfigReader http = root.section("http");
    ConfigReader cluster = root.section("cluster");
    ConfigReader postgres = root.section("postgres");
    ConfigReader redis = root.section("redis");
    ConfigReader kafka = root.section("kafka");
    int httpPort = http.integer("port", 8080, 1, 65535);
    return new NodeConfig(
        profile,
        root.string("nodeName", "node-" + httpPort),
        new Http(http.string("host", "0.0.0.0"), httpPort,
            http.integer("instances", VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE, 1, 64)),
        new Cluster(
            cluster.string("name", "sagabus"),
            cluster.string("hazelcastConfig", "hazelcast-loopback.xml"),
            cluster.string("host", null),
            cluster.integer("port", 0, 0, 65535),
            cluster.stringList("members", List.of())),
        root.stringList("roles", List.of()),
        required(postgres, "url", urlOrNull(postgres, "url", "postgresql://", "postgres://")),
        postgres.integer("poolSize", 8, 1, 256),
        postgres.bool("preparedStatements", true),
        required(redis, "url", urlOrNull(redis, "url", "redis://", "rediss://", "unix://")),
        required(kafka, "bootstrap", bootstrapOrNull(kafka)),
        json);
  }

  public ConfigReader section(String name) {
    return ConfigReader.root(raw).section(name);
  }

  /** A profile can demand a real backend, so production never falls back to a stand-in by accident. */
  private static Optional<String> required(ConfigReader section, String name, String value) {
    if (value == null && section.bool("required", false)) {
      throw new ConfigException(section.key(name), "is required by this profile (set it in the profile or its environment variable)");
    }
    return Optional.ofNullable(value);
  }

  private static String urlOrNull(ConfigReader section, String name, String... schemes) {
    String url = section.string(name, null);
    if (url == null) {
      return null;
    }
    for (String scheme : schemes) {
      if (url.startsWith(scheme)) {
        return url;
      }
    }
    throw new ConfigException(section.key(name), "must start with " + String.join(" or ", schemes) + ", got '" + Redaction.url(url) + "'");
  }

  private static String bootstrapOrNull(ConfigReader kafka) {
    String bootstrap = kafka.string("bootstrap", null);
    if (bootstrap == null) {
      return null;
    }
    for (String server : bootstrap.split(",")) {
      int colon = server.lastIndexOf(':');
      boolean valid = colon > 0;
      if (valid) {
        try {
          int port = Integer.parseInt(server.substring(colon + 1).trim());
          valid = port > 0 && port <= 65535;
        } catch (NumberFormatException e) {
          valid = false;
        }
      }
      if (!valid) {
        throw new ConfigException(kafka.key("bootstrap"), "must be host:port[,host:port...], got '" + bootstrap + "'");
      }
    }
    return bootstrap;
  }
}
