package io.sagabus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagabus.platform.security.JwtSecurity;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TokenCommandTest {

  private static final String SECRET = "token-command-test-secret-" + "z".repeat(16);

  @TempDir
  Path dir;

  @Test
  void token_isSignedWithTheConfiguredKey_andCarriesSubjectAndRoles() throws Exception {
    Path profile = dir.resolve("profile.json");
    Files.writeString(profile, new JsonObject().put("security", new JsonObject().put("jwtSecret", SECRET)).encode());
    StringWriter out = new StringWriter();
    CommandLine line = Main.commandLine();
    line.setOut(new PrintWriter(out));
    int exit = line.execute("token", "--subject", "alice", "--role", "admin", "--ttl", "1h", "--profile", profile.toString());

    assertThat(exit).isZero();
    String token = out.toString().trim();
    assertThat(token.split("\\.")).hasSize(3);
    Vertx vertx = Vertx.vertx();
    try {
      User user = JwtSecurity.provider(vertx, SECRET).authenticate(new TokenCredentials(token)).await();
      assertThat(user.principal().getString("sub")).isEqualTo("alice");
      assertThat(user.principal().getJsonArray("roles").getList()).containsExactly("admin");
      JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
      assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(3_600);
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void badTtl_isBadInput() {
    StringWriter err = new StringWriter();
    CommandLine line = Main.commandLine();
    line.setErr(new PrintWriter(err));
    assertThat(line.execute("token", "--subject", "alice", "--ttl", "forever")).isEqualTo(2);
    assertThat(line.execute("token", "--subject", "alice", "--ttl", "90d")).isEqualTo(2);
    assertThat(TokenCommand.parseTtl("15m")).hasMinutes(15);
  }
}
