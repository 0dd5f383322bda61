package io.sagabus.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sagabus.platform.config.ConfigException;
import io.sagabus.platform.config.ConfigLoader;
import io.sagabus.platform.config.NodeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @Test
  void embeddedDefaults_needNoFileAndNoBackends() {
    NodeConfig config = ConfigLoader.load(null, Map.of(), Map.of());
    assertThat(config.profile()).isEqualTo("embedded");
    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.postgresUrl()).isEmpty();
    assertThat(config.redisUrl()).isEmpty();
    assertThat(config.kafkaBootstrap()).isEmpty();
    assertThat(Roles.resolve(config.roles())).containsExactlyElementsOf(Roles.all());
  }

  @Test
  void environmentVariables_overrideTheProfile_andCommandLineOverridesBoth() {
    NodeConfig config = ConfigLoader.load("local-cluster", Map.of(
        "SAGABUS_HTTP_PORT", "9090",
        "SAGABUS_PG_URL", "postgresql://postgres@127.0.0.1:5432/test",
        "SAGABUS_PG_PREPARED_STATEMENTS", "false",
        "SAGABUS_KAFKA_BOOTSTRAP", "127.0.0.1:9092",
        "SAGABUS_REDIS_URL", "redis://127.0.0.1:6379",
        "SAGABUS_ROLES", "gateway,inventory"), Map.of("http.port", "9191"));
    assertThat(config.http().port()).isEqualTo(9191);
    assertThat(config.postgresUrl()).contains("postgresql://postgres@127.0.0.1:5432/test");
    assertThat(config.postgresPreparedStatements()).isFalse();
    assertThat(config.kafkaBootstrap()).contains("127.0.0.1:9092");
    assertThat(config.redisUrl()).contains("redis://127.0.0.1:6379");
    assertThat(config.roles()).containsExactly("gateway", "inventory");
    assertThat(config.cluster().name()).isEqualTo("sagabus-local");
  }

  @Test
  void badPort_namesTheKeyAndTheProblem() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("SAGABUS_HTTP_PORT", "eighty"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("http.port: must be an integer between 1 and 65535, got 'eighty'");
  }

  @Test
  void gatewayInstances_defaultToOnePerEventLoop_andAreBounded() {
    assertThat(ConfigLoader.load(null, Map.of(), Map.of()).http().instances()).isEqualTo(2 * Runtime.getRuntime().availableProcessors());
    assertThat(ConfigLoader.load(null, Map.of("SAGABUS_HTTP_INSTANCES", "3"), Map.of()).http().instances()).isEqualTo(3);
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("SAGABUS_HTTP_INSTANCES", "0"), Map.of()))
        .hasMessage("http.instances: must be between 1 and 64, got 0");
  }

  @Test
  void badBackendUrls_areRejectedWithoutLeakingPasswords() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("SAGABUS_PG_URL", "mysql://admin:hunter2@db/x"), Map.of()))
        .hasMessage("postgres.url: must start with postgresql:// or postgres://, got 'mysql://admin:***@db/x'");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("SAGABUS_KAFKA_BOOTSTRAP", "localhost"), Map.of()))
        .hasMessageStartingWith("kafka.bootstrap: must be host:port");
  }

  @Test
  void unknownRole_andUnknownProfile_areConfigErrors() {
    assertThatThrownBy(() -> Roles.resolve(List.of("gateway", "warp-drive")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("roles: unknown role 'warp-drive'");
    assertThatThrownBy(() -> ConfigLoader.load("staging", Map.of(), Map.of()))
        .hasMessageStartingWith("profile: unknown profile 'staging'");
  }

  @Test
  void productionProfile_refusesToFallBackToStandIns() {
    assertThatThrownBy(() -> ConfigLoader.load("production", Map.of(), Map.of()))
        .hasMessageStartingWith("postgres.url: is required by this profile");
  }

  @Test
  void profileFile_withBrokenJson_isNamed(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("mine.json");
    Files.writeString(file, "{ \"http\": { \"port\": 8080, } ");
    assertThatThrownBy(() -> ConfigLoader.load(file.toString(), Map.of(), Map.of()))
        .hasMessageStartingWith("profile: '" + file + "' is not valid JSON");
  }
}
