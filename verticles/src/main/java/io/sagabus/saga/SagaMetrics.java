package io.sagabus.saga;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.Supplier;

/** Saga metrics; labels are bounded (saga type, step name, outcome), never a saga id. */
final class SagaMetrics {

  private final MeterRegistry registry;

  SagaMetrics(MeterRegistry registry, Supplier<Number> inFlight) {
    this.registry = registry;
    Gauge.builder("sagabus.saga.inflight", inFlight).description("Sagas this node is running now").register(registry);
  }

  void started(String type) {
    counter("sagabus.saga.started", type).increment();
  }

  void ended(SagaInstance saga, long nowMillis) {
    String outcome = saga.status().name().toLowerCase(java.util.Locale.ROOT);
    String name = switch (saga.status()) {
      case COMPLETED -> "sagabus.saga.completed";
      case FAILED -> "sagabus.saga.failed";
      case COMPENSATION_FAILED -> "sagabus.saga.compensation.failed";
      default -> null;
    };
    if (name != null) {
      counter(name, saga.type()).increment();
    }
    Timer.builder("sagabus.saga.duration").description("Saga start to end").tag("type", saga.type()).tag("outcome", outcome)
        .publishPercentileHistogram().register(registry).record(Duration.ofMillis(Math.max(0, nowMillis - saga.createdAt())));
  }

  void stepCall(String type, String step, String kind, String outcome, long millis) {
    Timer.builder("sagabus.saga.step.latency").description("One participant call of a step")
        .tag("type", type).tag("step", step).tag("kind", kind).tag("outcome", outcome)
        .publishPercentileHistogram().register(registry).record(Duration.ofMillis(millis));
  }

  void compensated(String type, String step) {
    Counter.builder("sagabus.saga.compensations").description("Steps compensated").tag("type", type).tag("step", step)
        .register(registry).increment();
  }

  private Counter counter(String name, String type) {
    return Counter.builder(name).tag("type", type).register(registry);
  }
}
