package io.sagabus.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sagabus.platform.eventbus.FailureCodes;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The saga DSL and retry policies, without a cluster. */
class SagaDefinitionTest {

  @Test
  void dsl_buildsStepsInOrderWithTheirSettings() {
    RetryPolicy retry = RetryPolicy.exponential(4, Duration.ofMillis(10), Duration.ofMillis(80));
    SagaDefinition definition = SagaDefinition.named("trip")
        .step("book-flight").invoke("flights.book").compensateWith("flights.cancel").timeout(Duration.ofSeconds(2)).retry(retry)
        .step("send-postcard").invoke("post.send").nonCritical()
        .build();

    assertThat(definition.type()).isEqualTo("trip");
    StepDefinition flight = definition.step(0);
    assertThat(flight.name()).isEqualTo("book-flight");
    assertThat(flight.compensationAddress()).isEqualTo("flights.cancel");
    assertThat(flight.statusAddress()).isEqualTo("flights.status");
    assertThat(flight.timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(flight.retry()).isSameAs(retry);
    assertThat(flight.critical()).isTrue();
    assertThat(definition.step(1).critical()).isFalse();
    assertThat(definition.step(1).compensable()).isFalse();
  }

  @Test
  void stepThatSendsNamedFields_getsOnlyThose_andAStepWithoutSendsGetsEverything() {
    SagaDefinition definition = SagaDefinition.named("trip")
        .step("book-flight").invoke("flights.book")
        .step("send-postcard").invoke("post.send").sends("customerId", "flightId", "absent")
        .build();
    JsonObject inputAndResults = new JsonObject().put("customerId", "c-1").put("flightId", "f-9")
        .put("card", new JsonObject().put("number", "4111")).put("address", "1 Main St");

    assertThat(definition.step(0).commandFields(inputAndResults)).isEqualTo(inputAndResults);
    assertThat(definition.step(1).commandFields(inputAndResults))
        .isEqualTo(new JsonObject().put("customerId", "c-1").put("flightId", "f-9"));
  }

  @Test
  void dsl_refusesStepsWithoutAddressOrWithDuplicateNames() {
    assertThatThrownBy(() -> SagaDefinition.named("x").step("a").build()).hasMessageContaining("no participant address");
    assertThatThrownBy(() -> SagaDefinition.named("x").step("a").invoke("s.a").step("a").invoke("s.b").build())
        .hasMessageContaining("two steps named a");
  }

  @Test
  void orderSaga_isTheReferenceDefinition() {
    SagaDefinition order = OrderSaga.definition(Duration.ofSeconds(1), SagaDefinition.DEFAULT_RETRY, SagaDefinition.DEFAULT_COMPENSATION_RETRY);

    assertThat(order.steps()).extracting(StepDefinition::name).containsExactly(
        "create-order", "reserve-inventory", "charge-payment", "confirm-inventory", "create-shipment", "send-notification", "complete-order");
    assertThat(order.steps()).filteredOn(step -> !step.critical()).extracting(StepDefinition::name).containsExactly("send-notification");
  }

  @Test
  void retryPolicy_backsOffExponentiallyWithinJitterAndCap() {
    RetryPolicy policy = RetryPolicy.exponential(10, Duration.ofMillis(100), Duration.ofMillis(1_000)).withJitter(0.2);

    for (int i = 0; i < 50; i++) {
      assertThat(policy.backoffMs(1)).isBetween(80L, 120L);
      assertThat(policy.backoffMs(3)).isBetween(320L, 480L);
      assertThat(policy.backoffMs(8)).isBetween(800L, 1_200L);
    }
  }

  @Test
  void retryPolicy_retriesTimeoutsAndFaultsButNotRefusalsOrTheLastAttempt() {
    RetryPolicy policy = RetryPolicy.exponential(3, Duration.ofMillis(1), Duration.ofMillis(1));
    ReplyException timeout = new ReplyException(ReplyFailure.TIMEOUT, "timed out");
    ReplyException fault = new ReplyException(ReplyFailure.RECIPIENT_FAILURE, FailureCodes.INTERNAL, "boom");
    ReplyException refusal = new ReplyException(ReplyFailure.RECIPIENT_FAILURE, FailureCodes.REJECTED, "declined");

    assertThat(policy.shouldRetry(1, timeout)).isTrue();
    assertThat(policy.shouldRetry(2, fault)).isTrue();
    assertThat(policy.shouldRetry(1, refusal)).isFalse();
    assertThat(policy.shouldRetry(3, timeout)).isFalse();
    assertThat(policy.retryOn(failure -> true).shouldRetry(1, refusal)).isTrue();
  }
}
