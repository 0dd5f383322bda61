package io.sagabus.testing;

import io.sagabus.node.NodeLauncher;
import io.sagabus.node.RunningNode;
import io.sagabus.platform.config.NodeConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A cluster of its own for one test: a unique cluster name and a private block of Hazelcast ports, so tests and
 * local clusters on the same machine never join each other. Nodes run in-process ({@link #startNode}) or as
 * fat-jar processes ({@link #processEnv}).
 */
public final class TestCluster implements AutoCloseable {

  private static final int MAX_MEMBERS = 8;

  private final String name = "test-" + UUID.randomUUID().toString().substring(0, 8);
  private final int basePort = FreePorts.block(MAX_MEMBERS);
  private final List<RunningNode> nodes = new ArrayList<>();

  public String name() {
    return name;
  }

  public List<String> members() {
    List<String> members = new ArrayList<>();
    for (int i = 0; i < MAX_MEMBERS; i++) {
      members.add("127.0.0.1:" + (basePort + i));
    }
    return members;
  }

  /** Node config JSON: free HTTP port, this cluster's name and ports, plus {@code extra} merged on top. */
  public JsonObject nodeConfig(JsonObject extra) {
    JsonObject json = new JsonObject()
        .put("nodeName", "test-node-" + nodes.size())
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", FreePorts.next()))
        .put("cluster", new JsonObject()
            .put("name", name)
            .put("hazelcastConfig", "hazelcast-loopback.xml")
            .put("host", "127.0.0.1")
            .put("port", basePort)
            .put("members", new JsonArray(members())));
    return json.mergeIn(extra, true);
  }

  /** Starts a clustered node in this JVM and waits until it is up. */
  public RunningNode startNode(JsonObject extra) {
    NodeConfig config = NodeConfig.from("test", nodeConfig(extra));
    RunningNode node = await(NodeLauncher.start(config, true));
    nodes.add(node);
    return node;
  }

  /** Environment for a fat-jar node process that joins this cluster. */
  public Map<String, String> processEnv(int httpPort) {
    return Map.of(
        "SAGABUS_CLUSTER_NAME", name,
        "SAGABUS_CLUSTER_PORT", String.valueOf(basePort),
        "SAGABUS_CLUSTER_MEMBERS", String.join(",", members()),
        "SAGABUS_HTTP_PORT", String.valueOf(httpPort),
        "SAGABUS_HTTP_HOST", "127.0.0.1");
  }

  public static <T> T await(Future<T> future) {
    return await(future.toCompletionStage());
  }

  public static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(90, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("did not complete: " + e, e);
    }
  }

  @Override
  public void close() {
    for (RunningNode node : nodes) {
      try {
        await(node.close());
      } catch (RuntimeException ignored) {
        // A node a test already stopped.
      }
    }
    nodes.clear();
  }
}
