package io.sagabus.platform.choreography;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagabus.platform.events.DomainEvent;
import io.sagabus.platform.events.EventTopics;
import io.sagabus.platform.events.StepEvents;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class FlowEventsTest {

  private static final JsonObject CHOREOGRAPHED_CHARGE = new JsonObject()
      .put("sagaId", "flow-1").put("step", "charge-payment").put("attempt", 1)
      .put("traceparent", "00-0123456789abcdef0123456789abcdef-0123456789abcdef-01")
      .put("mode", "choreography").put("orderId", "ord-1").put("customerId", "c-1").put("paymentMethod", "card")
      .put("items", new JsonArray().add(new JsonObject().put("sku", "SKU-1").put("qty", 2))).put("amount", 200);

  @Test
  void participantEventOfAChoreographedStep_carriesTheFlowOnUnderAnIdFixedByFlowAndType() {
    JsonObject processed = new JsonObject().put("orderId", "ord-1").put("chargeId", "ch-9").put("amount", 200);

    DomainEvent first = StepEvents.of(EventTopics.PAYMENT_PROCESSED, CHOREOGRAPHED_CHARGE, processed);
    DomainEvent again = StepEvents.of(EventTopics.PAYMENT_PROCESSED, CHOREOGRAPHED_CHARGE, processed);

    assertThat(first.eventId()).isEqualTo(again.eventId()).isEqualTo(FlowEvents.eventId("flow-1", EventTopics.PAYMENT_PROCESSED));
    assertThat(first.sagaId()).isEqualTo("flow-1");
    assertThat(first.key()).isEqualTo("ord-1");
    assertThat(first.traceparent()).startsWith("00-0123456789abcdef0123456789abcdef-");
    assertThat(FlowEvents.choreographed(first)).isTrue();
    assertThat(first.payload().getString("customerId")).isEqualTo("c-1");
    assertThat(first.payload().getJsonArray("items")).hasSize(1);
    assertThat(first.payload().getString("chargeId")).isEqualTo("ch-9");
    assertThat(first.payload().fieldNames()).doesNotContain("sagaId", "step", "attempt", "compensation", "traceparent");
  }

  @Test
  void participantEventOfAnOrchestratedStep_isUnmarkedAndKeepsItsOwnPayload() {
    JsonObject orchestrated = CHOREOGRAPHED_CHARGE.copy();
    orchestrated.remove("mode");
    JsonObject processed = new JsonObject().put("orderId", "ord-1").put("chargeId", "ch-9").put("amount", 200);

    DomainEvent first = StepEvents.of(EventTopics.PAYMENT_PROCESSED, orchestrated, processed);
    DomainEvent again = StepEvents.of(EventTopics.PAYMENT_PROCESSED, orchestrated, processed);

    assertThat(FlowEvents.choreographed(first)).isFalse();
    assertThat(first.payload()).isEqualTo(processed);
    assertThat(first.eventId()).isNotEqualTo(again.eventId());
  }

  @Test
  void eventIds_differByFlowAndByType() {
    assertThat(FlowEvents.eventId("flow-1", EventTopics.ORDER_CREATED))
        .isNotEqualTo(FlowEvents.eventId("flow-2", EventTopics.ORDER_CREATED))
        .isNotEqualTo(FlowEvents.eventId("flow-1", EventTopics.ORDER_CANCELLED));
  }
}
