package io.sagabus.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sagabus.platform.config.NodeConfig;
import io.sagabus.testing.FreePorts;
import io.sagabus.testing.Http;
import io.sagabus.testing.KafkaBroker;
import io.sagabus.testing.TestCluster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Readiness checks each real backend with a round trip, and follows it going away and coming back. */
class BackendHealthTest {

  @Test
  void health_reportsEachRealBackend_andFollowsKafkaGoingDownAndBack() {
    try (KafkaBroker kafka = KafkaBroker.start()) {
      int port = FreePorts.next();
      NodeConfig config = NodeConfig.from("test", new JsonObject()
          .put("http", new JsonObject().put("host", "127.0.0.1").put("port", port))
          .put("postgres", new JsonObject().put("url", "postgresql://postgres@127.0.0.1:5432/test"))
          .put("redis", new JsonObject().put("url", "redis://127.0.0.1:6379"))
          .put("kafka", new JsonObject().put("bootstrap", kafka.bootstrap())));
      RunningNode node = TestCluster.await(NodeLauncher.start(config, false));
      try {
        String health = node.httpUrl() + "/health";
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          HttpResponse<String> response = Http.get(health);
          assertThat(response.statusCode()).isEqualTo(200);
          Map<String, JsonObject> checks = readinessChecks(new JsonObject(response.body()));
          assertThat(checks.get("postgres").getString("status")).isEqualTo("UP");
          assertThat(checks.get("postgres").getJsonObject("data").getString("backend")).isEqualTo("postgres");
          assertThat(checks.get("redis").getJsonObject("data").getString("backend")).isEqualTo("redis");
          assertThat(checks.get("kafka").getJsonObject("data").getInteger("brokers")).isEqualTo(1);
        });

        kafka.stop();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          HttpResponse<String> response = Http.get(health);
          assertThat(response.statusCode()).isEqualTo(503);
          Map<String, JsonObject> checks = readinessChecks(new JsonObject(response.body()));
          assertThat(checks.get("kafka").getString("status")).isEqualTo("DOWN");
          assertThat(checks.get("postgres").getString("status")).isEqualTo("UP");
        });

        kafka.restart();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
            assertThat(Http.get(health).statusCode()).isEqualTo(200));
      } finally {
        TestCluster.await(node.close());
      }
    }
  }

  @Test
  void health_withoutBackends_reportsEmbeddedStandInsAsUp() {
    int port = FreePorts.next();
    NodeConfig config = NodeConfig.from("test", new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", port)));
    RunningNode node = TestCluster.await(NodeLauncher.start(config, false));
    try {
      HttpResponse<String> response = Http.get(node.httpUrl() + "/health");
      assertThat(response.statusCode()).isEqualTo(200);
      Map<String, JsonObject> checks = readinessChecks(new JsonObject(response.body()));
      assertThat(checks).containsKeys("postgres", "redis", "kafka", "cluster");
      checks.values().forEach(check -> assertThat(check.getString("status")).isEqualTo("UP"));
      assertThat(checks.get("postgres").getJsonObject("data").getString("backend")).isEqualTo("embedded");
    } finally {
      TestCluster.await(node.close());
    }
  }

  private static Map<String, JsonObject> readinessChecks(JsonObject health) {
    Map<String, JsonObject> byId = new HashMap<>();
    for (Object check : health.getJsonArray("checks", new JsonArray())) {
      JsonObject group = (JsonObject) check;
      if (group.getString("id").equals("readiness")) {
        group.getJsonArray("checks").forEach(inner -> byId.put(((JsonObject) inner).getString("id"), (JsonObject) inner));
      }
    }
    return byId;
  }
}
