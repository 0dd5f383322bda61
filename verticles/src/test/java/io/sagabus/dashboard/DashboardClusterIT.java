package io.sagabus.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagabus.node.RunningNode;
import io.sagabus.testing.TestCluster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three clustered nodes, only the first serving HTTP with the gateway: its page lists all three nodes up, and orders
 * whose sagas run on other nodes' engines show up, because every node reports its own sagas to every dashboard.
 */
class DashboardClusterIT {

  private static TestCluster cluster;
  private static final List<RunningNode> nodes = new ArrayList<>();

  @BeforeAll
  static void startCluster() {
    BrowserScript.checkInstalled();
    cluster = new TestCluster();
    // Participants keep their state in their node's memory, so each runs once; saga engines run on every node.
    JsonArray engines = new JsonArray().add("saga").add("dashboard");
    JsonArray all = engines.copy().add("order").add("inventory").add("payment").add("shipping").add("notification").add("gateway");
    nodes.add(cluster.startNode(new JsonObject().put("nodeName", "alpha").put("roles", all)));
    nodes.add(cluster.startNode(new JsonObject().put("nodeName", "beta").put("roles", engines.copy())));
    nodes.add(cluster.startNode(new JsonObject().put("nodeName", "gamma").put("roles", engines.copy())));
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @Test
  void pageOnOneNode_showsAllThreeNodes_andSagasRunAnywhere() throws Exception {
    Path screenshot = Path.of("target", "dashboard-cluster.png").toAbsolutePath();

    BrowserScript.Result result = BrowserScript.run(nodes.get(0).httpUrl(), screenshot, Map.of("E2E_MODE", "cluster", "E2E_NODES", "3"), 180);

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output())
        .contains("\"check\":\"cluster-nodes-shown\",\"ok\":true,\"names\":[\"alpha\",\"beta\",\"gamma\"]")
        .containsPattern("\"check\":\"cluster-sagas-shown\".*\"ranOn\":\\[\"[a-z]+\",\"[a-z]+\"")
        .contains("\"result\":\"PASS\"");
  }
}
