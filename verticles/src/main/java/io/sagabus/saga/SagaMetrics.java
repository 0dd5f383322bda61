package io.sagabus.saga;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Saga metrics; labels are bounded (saga type, step name, outcome), never a saga id. Meters are looked up once per
 * label set and kept: registering through a builder on every call costs more than the call it measures. Confined to
 * the engine's event loop.
 */
final class SagaMetrics {

  private final MeterRegistry registry;
  private final Map<Labels, Timer> timers = new HashMap<>();
  private final Map<Labels, Counter> counters = new HashMap<>();

  /** A meter's name and label values. */
  private record Labels(String name, String type, String step, String kind, String outcome) {}

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
    timers.computeIfAbsent(new Labels("sagabus.saga.duration", saga.type(), null, null, outcome), labels -> Timer.builder(labels.name())
            .description("Saga start to end").tag("type", labels.type()).tag("outcome", labels.outcome()).publishPercentileHistogram().register(registry))
        .record(Duration.ofMillis(Math.max(0, nowMillis - saga.createdAt())));
  }

  void stepCall(String type, String step, String kind, String outcome, long millis) {
    timers.computeIfAbsent(new Labels("sagabus.saga.step.latency", type, step, kind, outcome), labels -> Timer.builder(labels.name())
            .description("One participant call of a step").tag("type", labels.type()).tag("step", labels.step()).tag("kind", labels.kind())
            .tag("outcome", labels.outcome()).publishPercentileHistogram().register(registry))
        .record(Duration.ofMillis(millis));
  }

  void compensated(String type, String step) {
    counters.computeIfAbsent(new Labels("sagabus.saga.compensations", type, step, null, null), labels -> Counter.builder(labels.name())
        .description("Steps compensated").tag("type", labels.type()).tag("step", labels.step()).register(registry)).increment();
  }

  private Counter counter(String name, String type) {
    return counters.computeIfAbsent(new Labels(name, type, null, null, null),
        labels -> Counter.builder(labels.name()).tag("type", labels.type()).register(registry));
  }
}
