package io.sagabus.node;

import io.sagabus.platform.config.ConfigException;
import io.sagabus.platform.config.ConfigLoader;
import io.sagabus.platform.config.NodeConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Joins the cluster as a Hazelcast lite member: it owns no data and runs no service, so joining and leaving moves
 * nothing. The shared part of {@code send} and {@code publish}.
 */
abstract class ClusterClient {

  private static final long JOIN_TIMEOUT_SECONDS = 60;

  @Parameters(index = "0", paramLabel = "ADDRESS", description = "Event-bus address, for example inventory.stock.")
  String address;

  @Parameters(index = "1", paramLabel = "JSON", defaultValue = "{}", description = "Message body, a JSON object. Default {}.")
  String json;

  @Option(names = {"--profile", "-conf"}, paramLabel = "NAME|FILE",
      description = "Profile whose cluster settings to use. Default: $SAGABUS_PROFILE or embedded.")
  String profile;

  @Option(names = "--cluster-name", paramLabel = "NAME", description = "Cluster to join. Default: the profile's.")
  String clusterName;

  @Option(names = "-cluster-host", paramLabel = "HOST", description = "Address this client binds and advertises.")
  String clusterHost;

  /** What an action gets: a joined Vert.x, the parsed body, and the cluster's name for messages. */
  record Session(Vertx vertx, JsonObject body, String clusterName) {}

  /** Parses input, joins, runs the action, leaves. Returns the exit code. */
  protected int joinAndRun(String verb, Function<Session, Integer> action) {
    JsonObject body;
    try {
      body = new JsonObject(json);
    } catch (DecodeException | ClassCastException e) {
      System.err.println("sagabus " + verb + ": the message body is not a JSON object: " + json);
      return ExitCodes.BAD_INPUT;
    }
    NodeConfig config;
    try {
      Map<String, Object> overrides = new LinkedHashMap<>();
      if (clusterName != null) {
        overrides.put("cluster.name", clusterName);
      }
      if (clusterHost != null) {
        overrides.put("cluster.host", clusterHost);
      }
      config = ConfigLoader.load(profile, System.getenv(), overrides);
    } catch (ConfigException e) {
      return RunCommand.configError(e);
    }
    Vertx vertx;
    try {
      VertxOptions options = new VertxOptions();
      if (config.cluster().host() != null) {
        options.getEventBusOptions().setHost(config.cluster().host()).setClusterPublicHost(config.cluster().host());
      }
      vertx = Vertx.builder()
          .with(options)
          .withClusterManager(new HazelcastClusterManager(HazelcastConfigs.load(config.cluster(), true)))
          .buildClustered()
          .toCompletionStage().toCompletableFuture().get(JOIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ConfigException e) {
      return RunCommand.configError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ExitCodes.NO_CLUSTER;
    } catch (ExecutionException | TimeoutException e) {
      System.err.println("sagabus " + verb + ": cannot join cluster '" + config.cluster().name() + "': " + (e.getCause() == null ? e : e.getCause()));
      return ExitCodes.NO_CLUSTER;
    }
    try {
      return action.apply(new Session(vertx, body, config.cluster().name()));
    } finally {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(JOIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("sagabus " + verb + ": did not leave the cluster cleanly: " + e);
      }
    }
  }
}
