package io.sagabus.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sagabus.testing.FreePorts;
import io.sagabus.testing.NodeProcess;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard end to end, in headless Chromium against a fat-jar node: orders that complete and orders that are
 * compensated appear with their step timelines; with an admin JWT minted by the CLI, parked sagas are retried and
 * resolved from the triage list, and a fault injected through the page opens the payment circuit, which the page
 * shows open; a trial tier's rejections show; a screenshot lands in {@code target/dashboard.png}.
 */
class DashboardE2EIT {

  private static final String SECRET = "dashboard-e2e-secret-" + "k".repeat(20);
  private static NodeProcess node;
  private static Path profile;

  @BeforeAll
  static void startNode() throws IOException {
    BrowserScript.checkInstalled();
    int port = FreePorts.next();
    JsonObject config;
    try (InputStream embedded = DashboardE2EIT.class.getResourceAsStream("/cluster-config/embedded.json")) {
      config = new JsonObject(new String(embedded.readAllBytes(), StandardCharsets.UTF_8));
    }
    config.put("nodeName", "e2e-node").put("http", new JsonObject().put("host", "127.0.0.1").put("port", port))
        .put("security", new JsonObject().put("jwtSecret", SECRET))
        .put("saga", new JsonObject().put("stepTimeoutMs", 2_000));
    config.getJsonObject("ratelimit").put("enabled", true)
        .put("tiers", new JsonObject()
            .put("free", new JsonObject().put("quota", 60_000).put("windowSeconds", 60).put("burst", 5_000))
            .put("trial", new JsonObject().put("quota", 30).put("windowSeconds", 60).put("burst", 10)))
        .put("apiKeys", new JsonObject().put("e2e-trial-key", "trial"));
    JsonObject circuit = config.getJsonObject("resilience").getJsonObject("defaults").getJsonObject("circuit");
    circuit.put("minimumNumberOfCalls", 5).put("slidingWindowSize", 10);
    profile = Files.createTempFile("sagabus-dashboard-e2e-", ".json");
    Files.writeString(profile, config.encodePrettily());
    node = NodeProcess.start(port, Map.of(), "--profile", profile.toString());
    await().atMost(Duration.ofSeconds(60)).until(node::healthy);
  }

  @AfterAll
  static void stopNode() throws IOException {
    if (node != null) {
      node.close();
    }
    Files.deleteIfExists(profile);
  }

  @Test
  void browserSeesSagasWithTimelines_andInjectingAFaultThroughThePageOpensTheCircuit() throws Exception {
    NodeProcess.Result minted = NodeProcess.run(Map.of(), Duration.ofSeconds(60), "token", "--profile", profile.toString(), "--subject", "dashboard-e2e");
    assertThat(minted.exitCode()).as(minted.stderr()).isZero();
    String token = minted.stdout().strip();
    Path screenshot = Path.of("target", "dashboard.png").toAbsolutePath();
    Files.deleteIfExists(screenshot);

    BrowserScript.Result result = BrowserScript.run(node.url(), screenshot, Map.of("SAGABUS_ADMIN_TOKEN", token, "E2E_MODE", "single"), 180);

    assertThat(result.exitCode()).as(result.output() + "\nnode log:\n" + node.output()).isZero();
    assertThat(result.output())
        .contains("\"check\":\"completed-sagas-with-timelines\"")
        .contains("\"check\":\"compensated-sagas-with-timelines\"")
        .contains("insufficient funds")
        .contains("\"check\":\"parked-sagas-in-triage\"")
        .contains("\"check\":\"retried-through-page\"")
        .contains("\"check\":\"resolved-through-page\"")
        .contains("\"check\":\"fault-injected-through-page\"")
        .contains("\"check\":\"circuit-open-shown\"")
        .contains("\"check\":\"rate-limit-rejections-shown\"")
        .contains("\"check\":\"dom-bounded\"")
        .contains("\"check\":\"socket-read-only\",\"ok\":true,\"framesSent\":0")
        .contains("\"result\":\"PASS\"")
        .doesNotContain(token);
    assertThat(Files.size(screenshot)).isGreaterThan(10_000);
  }
}
