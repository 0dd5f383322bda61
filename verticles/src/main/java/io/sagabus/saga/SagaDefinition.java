package io.sagabus.saga;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A saga type as data: an ordered list of steps the engine interprets. Built with a DSL that reads like the
 * business process:
 *
 * <pre>{@code
 * SagaDefinition.named("order")
 *     .step("reserve-inventory").invoke(InventoryAddresses.RESERVE).compensateWith(InventoryAddresses.RELEASE)
 *         .timeout(Duration.ofSeconds(2)).retry(RetryPolicy.exponential(3, ofMillis(50), ofSeconds(1)))
 *     .step("send-notification").invoke(NotificationAddresses.SEND).nonCritical()
 *     .build();
 * }</pre>
 */
public record SagaDefinition(String type, List<StepDefinition> steps) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  public static final RetryPolicy DEFAULT_RETRY = RetryPolicy.exponential(3, Duration.ofMillis(50), Duration.ofSeconds(1));
  /** Compensations must eventually happen, so they are tried harder and on every failure. */
  public static final RetryPolicy DEFAULT_COMPENSATION_RETRY =
      RetryPolicy.exponential(5, Duration.ofMillis(100), Duration.ofSeconds(2)).retryOn(failure -> true);

  public static Builder named(String type) {
    return new Builder(type);
  }

  public StepDefinition step(int index) {
    return steps.get(index);
  }

  /** Collects steps in order. */
  public static final class Builder {
    private final String type;
    private final List<StepDefinition> steps = new ArrayList<>();

    private Builder(String type) {
      this.type = Objects.requireNonNull(type, "type");
    }

    public StepBuilder step(String name) {
      return new StepBuilder(this, name);
    }

    public SagaDefinition build() {
      if (steps.isEmpty()) {
        throw new IllegalStateException("saga " + type + " has no steps");
      }
      Set<String> names = new HashSet<>();
      for (StepDefinition step : steps) {
        if (!names.add(step.name())) {
          throw new IllegalStateException("saga " + type + " has two steps named " + step.name());
        }
      }
      return new SagaDefinition(type, List.copyOf(steps));
    }
  }

  /** One step being described; {@code step(..)} or {@code build()} finishes it. */
  public static final class StepBuilder {
    private final Builder saga;
    private final String name;
    private String address;
    private String compensationAddress;
    private String statusAddress;
    private Duration timeout = DEFAULT_TIMEOUT;
    private RetryPolicy retry = DEFAULT_RETRY;
    private RetryPolicy compensationRetry = DEFAULT_COMPENSATION_RETRY;
    private boolean critical = true;
    private List<String> sends;

    private StepBuilder(Builder saga, String name) {
      this.saga = saga;
      this.name = Objects.requireNonNull(name, "name");
    }

    /** The participant address that performs the step. Its status address defaults to {@code <service>.status}. */
    public StepBuilder invoke(String participantAddress) {
      this.address = participantAddress;
      return this;
    }

    public StepBuilder compensateWith(String compensationAddress) {
      this.compensationAddress = compensationAddress;
      return this;
    }

    public StepBuilder askStatusAt(String statusAddress) {
      this.statusAddress = statusAddress;
      return this;
    }

    public StepBuilder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    public StepBuilder retry(RetryPolicy retry) {
      this.retry = retry;
      return this;
    }

    public StepBuilder retryCompensation(RetryPolicy compensationRetry) {
      this.compensationRetry = compensationRetry;
      return this;
    }

    public StepBuilder critical() {
      this.critical = true;
      return this;
    }

    /**
     * The participant gets only these fields of the saga's input and earlier results (and always {@code sagaId},
     * {@code step} and {@code attempt}), not all of them: less to copy on every call and for a slow participant to
     * hold, and no address or payment data where the step has no use for it.
     */
    public StepBuilder sends(String... fields) {
      this.sends = List.of(fields);
      return this;
    }

    /** The step's failure is recorded, and the saga goes on without compensating. */
    public StepBuilder nonCritical() {
      this.critical = false;
      return this;
    }

    public StepBuilder step(String next) {
      finish();
      return saga.step(next);
    }

    public SagaDefinition build() {
      finish();
      return saga.build();
    }

    private void finish() {
      if (address == null) {
        throw new IllegalStateException("step " + name + " has no participant address (call invoke)");
      }
      String status = statusAddress != null ? statusAddress : serviceOf(address) + ".status";
      saga.steps.add(new StepDefinition(name, address, compensationAddress, status, timeout, retry, compensationRetry, critical, sends));
    }

    private static String serviceOf(String address) {
      int dot = address.indexOf('.');
      return dot < 0 ? address : address.substring(0, dot);
    }
  }
}
