package io.sagabus.orderview;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sagabus.platform.events.DomainEvent;
import java.time.Duration;
import java.time.Instant;

/**
 * The meters of one projection: {@code sagabus_projection_lag_seconds{projection}}, now minus the occurredAt of
 * each event just applied (a histogram, so p99 can be read per projection), and
 * {@code sagabus_projection_events_total{projection, outcome=applied|duplicate}}. The projection tag takes a handful
 * of fixed values, never an id.
 */
final class ProjectionLag {

  private final Timer lag;
  private final Counter applied;
  private final Counter duplicates;

  ProjectionLag(MeterRegistry registry, String projection) {
    this.lag = Timer.builder("sagabus.projection.lag")
        .description("Time from an event's occurredAt until the projection applied it")
        .tag("projection", projection)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofMinutes(5))
        .register(registry);
    this.applied = Counter.builder("sagabus.projection.events").tag("projection", projection).tag("outcome", "applied").register(registry);
    this.duplicates = Counter.builder("sagabus.projection.events").tag("projection", projection).tag("outcome", "duplicate").register(registry);
  }

  void applied(DomainEvent event, boolean fresh) {
    (fresh ? applied : duplicates).increment();
    Duration behind = Duration.between(event.occurredAt(), Instant.now());
    lag.record(behind.isNegative() ? Duration.ZERO : behind);
  }
}
