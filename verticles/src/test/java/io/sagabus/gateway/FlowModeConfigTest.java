package io.sagabus.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sagabus.platform.config.ConfigException;
import io.sagabus.platform.config.ConfigLoader;
import io.sagabus.saga.contract.FlowMode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlowModeConfigTest {

  @Test
  void noSagaMode_ordersRunOrchestrated() {
    assertThat(GatewayVerticle.defaultFlowMode(ConfigLoader.load(null, Map.of(), Map.of()).section("saga")))
        .isEqualTo(FlowMode.ORCHESTRATION);
  }

  @Test
  void sagaModeFromTheEnvironment_makesChoreographyTheDefault() {
    var config = ConfigLoader.load(null, Map.of("SAGABUS_SAGA_MODE", "choreography"), Map.of());
    assertThat(GatewayVerticle.defaultFlowMode(config.section("saga"))).isEqualTo(FlowMode.CHOREOGRAPHY);
  }

  @Test
  void unknownSagaMode_isAConfigErrorNamingTheKey() {
    var config = ConfigLoader.load(null, Map.of(), Map.of("saga.mode", "conducted"));
    assertThatThrownBy(() -> GatewayVerticle.defaultFlowMode(config.section("saga")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("saga.mode")
        .hasMessageContaining("orchestration|choreography");
  }
}
