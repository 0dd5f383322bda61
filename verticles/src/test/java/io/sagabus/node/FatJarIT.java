package io.sagabus.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sagabus.testing.FreePorts;
import io.sagabus.testing.NodeProcess;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The built fat jar, as a user runs it: no backends, no config file. */
class FatJarIT {

  @Test
  void fatJar_startsWithEmbeddedDefaults_reportsHealthy_andServesMetrics() {
    int port = FreePorts.next();
    try (NodeProcess node = NodeProcess.start(port, Map.of("SAGABUS_HTTP_PORT", String.valueOf(port)))) {
      await().atMost(Duration.ofSeconds(90)).until(node::healthy);

      assertThat(node.get("/health").body()).contains("\"outcome\":\"UP\"");
      String startLine = node.output().lines().filter(line -> line.contains("sagabus node up")).findFirst().orElseThrow();
      assertThat(startLine)
          .contains("roles=" + String.join(",", Roles.all()))
          .contains("http=http://127.0.0.1:" + port)
          .contains("store=embedded").contains("events=embedded").contains("ratelimit=local")
          .contains("cluster=standalone");

      node.get("/api/inventory");
      String metrics = node.get("/metrics").body();
      assertThat(metrics)
          .contains("jvm_memory_used_bytes")
          .contains("vertx_http_server_requests_total")
          .contains("vertx_eventbus_handlers");
    }
  }

  @Test
  void badConfig_stopsTheNodeWithOneClearLine_andExitCode2() {
    NodeProcess.Result badPort = NodeProcess.run(Map.of("SAGABUS_HTTP_PORT", "eighty"), Duration.ofSeconds(60));
    assertThat(badPort.exitCode()).isEqualTo(2);
    assertThat(badPort.stderr().strip())
        .isEqualTo("sagabus: config error: http.port: must be an integer between 1 and 65535, got 'eighty'");

    NodeProcess.Result badRole = NodeProcess.run(Map.of(), Duration.ofSeconds(60), "--roles", "gateway,teleporter");
    assertThat(badRole.exitCode()).isEqualTo(2);
    assertThat(badRole.stderr().strip()).startsWith("sagabus: config error: roles: unknown role 'teleporter'");
    assertThat(badRole.stderr()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void everyCommand_hasHelp() {
    for (String command : new String[] {"run", "send", "publish"}) {
      NodeProcess.Result help = NodeProcess.run(Map.of(), Duration.ofSeconds(60), command, "--help");
      assertThat(help.exitCode()).as(command + " --help").isZero();
      assertThat(help.stdout()).as(command + " --help").contains("Usage:");
    }
    assertThat(NodeProcess.run(Map.of(), Duration.ofSeconds(60), "--help").stdout()).contains("send").contains("publish");
  }
}
