package io.sagabus.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sagabus.platform.config.ConfigException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class ChaosFaultTest {

  @Test
  void latencyRange_andDefaults_areRead() {
    ChaosFault fault = ChaosFault.parse(new JsonObject("{\"service\":\"payment\",\"latencyMs\":{\"min\":50,\"max\":250},\"failureRate\":0.3}"));
    assertThat(fault.latencyMinMs()).isEqualTo(50);
    assertThat(fault.latencyMaxMs()).isEqualTo(250);
    assertThat(fault.failureCode()).isEqualTo(500);
    assertThat(ChaosFault.parse(fault.toJson())).isEqualTo(fault);
  }

  @Test
  void fixedLatency_roundTrips() {
    ChaosFault fault = ChaosFault.parse(new JsonObject("{\"service\":\"payment\",\"latencyMs\":100}"));
    assertThat(fault.latencyMinMs()).isEqualTo(100).isEqualTo(fault.latencyMaxMs());
    assertThat(fault.toJson().getLong("latencyMs")).isEqualTo(100);
  }

  @Test
  void faultsThatCannotBeApplied_areRefused_namingTheField() {
    assertThatThrownBy(() -> ChaosFault.parse(new JsonObject("{\"service\":\"payment\"}")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("names no fault");
    assertThatThrownBy(() -> ChaosFault.parse(new JsonObject("{\"service\":\"payment\",\"latencyMs\":{\"min\":300,\"max\":100}}")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("latencyMs.max");
    assertThatThrownBy(() -> ChaosFault.parse(new JsonObject("{\"service\":\"payment\",\"noReplyRate\":2}")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("noReplyRate");
    assertThatThrownBy(() -> ChaosFault.parse(new JsonObject("{\"service\":\"Payment.X\",\"failureRate\":1}")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("service");
  }

  @Test
  void controlPlane_cannotBeTargeted() {
    for (String service : new String[] {"chaos", "resilience"}) {
      assertThatThrownBy(() -> ChaosFault.parse(new JsonObject().put("service", service).put("failureRate", 1.0)))
          .isInstanceOf(ConfigException.class).hasMessageContaining("control plane");
    }
  }
}
