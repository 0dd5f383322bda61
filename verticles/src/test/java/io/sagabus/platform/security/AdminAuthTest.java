package io.sagabus.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagabus.node.NodeLauncher;
import io.sagabus.node.RunningNode;
import io.sagabus.platform.config.ConfigException;
import io.sagabus.platform.config.NodeConfig;
import io.sagabus.testing.FreePorts;
import io.sagabus.testing.Http;
import io.sagabus.testing.TestCluster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AdminAuthTest {

  private static final String SECRET = "admin-auth-test-secret-" + "x".repeat(20);
  private static RunningNode node;
  private static JWTAuth signer;
  private static String base;

  @BeforeAll
  static void startNode() {
    int port = FreePorts.next();
    NodeConfig config = NodeConfig.from("test", new JsonObject()
        .put("nodeName", "auth-test")
        .put("roles", new JsonArray().add("gateway"))
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", port))
        .put("security", new JsonObject().put("jwtSecret", SECRET)));
    node = TestCluster.await(NodeLauncher.start(config, false));
    signer = JwtSecurity.provider(node.vertx(), SECRET);
    base = node.httpUrl();
  }

  @AfterAll
  static void stopNode() {
    TestCluster.await(node.close());
  }

  @Test
  void adminEndpoint_withoutToken_is401Problem() {
    Http.Response response = Http.call("GET", base + "/api/admin/resilience", null, null);
    assertThat(response.status()).isEqualTo(401);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.json().getString("type")).endsWith("/unauthorized");
  }

  @Test
  void adminEndpoint_withMalformedOrForeignOrExpiredToken_is401() {
    String foreign = JwtSecurity.mint(JwtSecurity.provider(node.vertx(), "another-key-entirely-" + "y".repeat(20)), "mallory", List.of("admin"), Duration.ofHours(1));
    String expired = signer.generateToken(new JsonObject().put("sub", "alice").put("roles", new JsonArray().add("admin"))
        .put("exp", System.currentTimeMillis() / 1000 - 3_600).put("iat", System.currentTimeMillis() / 1000 - 7_200),
        new io.vertx.ext.auth.JWTOptions().setAlgorithm("HS256").setNoTimestamp(true));
    for (String token : List.of("not-a-jwt", foreign, expired)) {
      Http.Response response = Http.call("POST", base + "/api/admin/chaos", token, "{\"service\":\"payment\",\"failureRate\":1}");
      assertThat(response.status()).as("token %s", token.substring(0, 5)).isEqualTo(401);
      assertThat(response.json().getString("type")).endsWith("/unauthorized");
    }
  }

  @Test
  void adminEndpoint_withTokenLackingAdminRole_is403Problem() {
    String viewer = JwtSecurity.mint(signer, "bob", List.of("viewer"), Duration.ofMinutes(5));
    Http.Response response = Http.call("DELETE", base + "/api/admin/chaos", viewer, null);
    assertThat(response.status()).isEqualTo(403);
    assertThat(response.json().getString("type")).endsWith("/forbidden");
  }

  @Test
  void adminEndpoint_withAdminToken_is200() {
    String admin = JwtSecurity.mint(signer, "alice", List.of("admin"), Duration.ofMinutes(5));
    Http.Response response = Http.call("GET", base + "/api/admin/resilience", admin, null);
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().getJsonObject("effective").getJsonObject("defaults").getLong("timeoutMs")).isEqualTo(5_000);
  }

  @Test
  void everyAdminPath_isGuarded_evenOneNoRouteServes() {
    assertThat(Http.call("POST", base + "/api/admin/no-such-action", null, "{}").status()).isEqualTo(401);
    String admin = JwtSecurity.mint(signer, "alice", List.of("admin"), Duration.ofMinutes(5));
    assertThat(Http.call("POST", base + "/api/admin/no-such-action", admin, "{}").status()).isEqualTo(404);
  }

  @Test
  void publicEndpoints_needNoToken() {
    assertThat(Http.call("GET", base + "/api/chaos", null, null).status()).isEqualTo(200);
  }

  @Test
  void shortSecret_isRefused_withoutShowingIt() {
    NodeConfig config = NodeConfig.from("test", new JsonObject().put("security", new JsonObject().put("jwtSecret", "short-secret-value")));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> JwtSecurity.secret(config))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("security.jwtSecret")
        .hasMessageNotContaining("short-secret-value");
  }

  @Test
  void profileThatRequiresAKey_refusesToStartWithout() {
    NodeConfig config = NodeConfig.from("test", new JsonObject().put("security", new JsonObject().put("required", true)));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> JwtSecurity.secret(config))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("security.jwtSecret");
  }
}
