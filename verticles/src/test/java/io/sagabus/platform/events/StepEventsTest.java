package io.sagabus.platform.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** How a participant's events are keyed and traced. */
class StepEventsTest {

  private static final String W3C = "00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}";

  @Test
  void commandWithoutTrace_getsOneTracePerSaga_andOneSpanPerStep() {
    JsonObject reserve = new JsonObject().put("sagaId", "saga-1").put("step", "reserve-inventory").put("orderId", "o-1");
    JsonObject charge = reserve.copy().put("step", "charge-payment");
    String first = StepEvents.traceparent(reserve);
    String second = StepEvents.traceparent(charge);
    assertThat(first).matches(W3C).endsWith("-01");
    assertThat(second.substring(0, 36)).isEqualTo(first.substring(0, 36));
    assertThat(second).isNotEqualTo(first);
    assertThat(StepEvents.traceparent(reserve.copy().put("attempt", 2))).as("a retry keeps its span").isEqualTo(first);
    assertThat(StepEvents.traceparent(reserve.copy().put("sagaId", "saga-2")).substring(3, 35)).isNotEqualTo(first.substring(3, 35));
  }

  @Test
  void commandCarryingATrace_keepsItsTraceIdAndFlags() {
    JsonObject command = new JsonObject().put("sagaId", "saga-1").put("step", "create-order").put("orderId", "o-1")
        .put("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
    assertThat(StepEvents.traceparent(command)).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-").endsWith("-00").matches(W3C);
    assertThat(StepEvents.traceparent(command.put("traceparent", "not a traceparent"))).doesNotContain("4bf92f35").matches(W3C);
  }

  @Test
  void event_isKeyedByOrder_orBySagaWhenTheCommandNamesNoOrder() {
    JsonObject command = new JsonObject().put("sagaId", "saga-1").put("step", "charge-payment");
    assertThat(StepEvents.of(EventTopics.PAYMENT_PROCESSED, command, new JsonObject()).key()).isEqualTo("saga-1");
    DomainEvent event = StepEvents.of(EventTopics.PAYMENT_PROCESSED, command.put("orderId", "o-9"), new JsonObject());
    assertThat(event.key()).isEqualTo("o-9");
    assertThat(event.sagaId()).isEqualTo("saga-1");
    assertThat(event.type()).isEqualTo(EventTopics.PAYMENT_PROCESSED);
  }
}
