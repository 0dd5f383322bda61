package io.sagabus.platform.resilience;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sagabus.platform.eventbus.FailureCodes;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import org.HdrHistogram.Histogram;

/**
 * The stack for one target, outermost first: bulkhead, circuit breaker, timeout (a deadline for the whole call,
 * retries included), retry with exponential backoff and jitter for retryable failures only. The circuit records one
 * outcome per call, after its retries.
 */
final class TargetStack {

  private final String target;
  private final Vertx vertx;
  private final ResilienceClock clock;
  private final DoubleSupplier random;
  private volatile TargetPolicy policy;
  /** Shared, never modified: the options of most first attempts, which get the whole budget. */
  private volatile DeliveryOptions firstAttemptOptions;
  private final Bulkhead bulkhead;
  private final CircuitGuard circuit;
  private final EnumMap<CallOutcome, Counter> outcomeCounters = new EnumMap<>(CallOutcome.class);
  private final LongAdder slowCalls = new LongAdder();
  private final Counter retryCounter;
  private final Counter rejectionCounter;

  TargetStack(String target, Vertx vertx, TargetPolicy policy, ResilienceClock clock, DoubleSupplier random,
      MeterRegistry metrics, List<CircuitListener> listeners) {
    this.target = target;
    this.vertx = vertx;
    this.clock = clock;
    this.random = random;
    this.policy = policy;
    this.firstAttemptOptions = firstAttemptOptions(policy);
    this.bulkhead = new Bulkhead(policy.bulkhead());
    this.circuit = new CircuitGuard(target, vertx, policy.circuit(), listeners);
    for (CallOutcome outcome : CallOutcome.values()) {
      outcomeCounters.put(outcome, Counter.builder("sagabus_resilience_calls")
          .description("Protected calls by target and outcome")
          .tag("target", target).tag("outcome", outcome.label)
          .register(metrics));
    }
    retryCounter = Counter.builder("sagabus_resilience_retries").description("Retry attempts by target")
        .tag("target", target).register(metrics);
    rejectionCounter = Counter.builder("sagabus_bulkhead_rejections").description("Calls refused because the bulkhead was full")
        .tag("target", target).register(metrics);
    Gauge.builder("sagabus_circuit_state", circuit, c -> c.state().gaugeValue())
        .description("Circuit state per target: 0 closed, 1 open, 2 half-open")
        .tag("target", target).register(metrics);
  }

  <T> Future<T> call(TimedOperation<T> operation) {
    return admit(new Call<>(operation, null, null, null, Promise.promise()));
  }

  /** An event-bus request whose send timeout is each attempt's budget; {@code options} may be null. */
  <T> Future<Message<T>> request(String address, Object body, DeliveryOptions options) {
    return admit(new Call<>(null, address, body, options, Promise.promise()));
  }

  private <T> Future<T> admit(Call<T> call) {
    Promise<T> result = call.result;
    switch (bulkhead.enter(call)) {
      case NOW -> call.start();
      case QUEUED -> { }
      case REJECTED -> {
        increment(CallOutcome.BULKHEAD_FULL);
        rejectionCounter.increment();
        return Future.failedFuture(new BulkheadFullException(target));
      }
    }
    return result.future();
  }

  private static DeliveryOptions firstAttemptOptions(TargetPolicy policy) {
    return new DeliveryOptions().setSendTimeout(policy.attemptBudgetMs(policy.timeoutMs()));
  }

  CircuitState state() {
    return circuit.state();
  }

  void update(TargetPolicy updated) {
    policy = updated;
    firstAttemptOptions = firstAttemptOptions(updated);
    bulkhead.resize(updated.bulkhead());
    circuit.update(updated.circuit());
  }

  void close() {
    circuit.close();
  }

  /** This target's figures now; latency percentiles cover the calls since the previous snapshot. */
  JsonObject snapshot() {
    Histogram interval = circuit.takeLatencies();
    CircuitGuard.WindowStats window = circuit.windowStats();
    long total = 0;
    JsonObject byOutcome = new JsonObject();
    for (CallOutcome outcome : CallOutcome.values()) {
      long count = total(outcome);
      total += count;
      byOutcome.put(outcome.label, count);
    }
    long failures = total(CallOutcome.FAILURE) + total(CallOutcome.TIMEOUT);
    JsonObject snapshot = new JsonObject()
        .put("target", target)
        .put("state", circuit.state().name())
        .put("calls", total)
        .put("failures", failures)
        .put("slowCalls", slowCalls.sum())
        .put("bulkheadRejections", total(CallOutcome.BULKHEAD_FULL))
        .put("shortCircuited", total(CallOutcome.CIRCUIT_OPEN))
        .put("retries", (long) retryCounter.count())
        .put("outcomes", byOutcome)
        .put("window", new JsonObject()
            .put("calls", window.calls())
            .put("failures", window.failures())
            .put("slowCalls", window.slowCalls())
            .put("failureRate", window.failureRate())
            .put("slowCallRate", window.slowCallRate()))
        .put("failureRate", window.failureRate())
        .put("inFlight", bulkhead.active())
        .put("queued", bulkhead.queued())
        .put("intervalCalls", interval.getTotalCount());
    if (interval.getTotalCount() > 0) {
      snapshot.put("p50Ms", interval.getValueAtPercentile(50) / 1000.0).put("p99Ms", interval.getValueAtPercentile(99) / 1000.0);
    } else {
      snapshot.putNull("p50Ms").putNull("p99Ms");
    }
    return snapshot;
  }

  private void increment(CallOutcome outcome) {
    outcomeCounters.get(outcome).increment();
  }

  private long total(CallOutcome outcome) {
    return (long) outcomeCounters.get(outcome).count();
  }

  static boolean isTimeout(Throwable failure) {
    return failure instanceof TimeoutException
        || failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.TIMEOUT;
  }

  /** One protected call: its permit, deadline and attempts. Completes {@code result} exactly once. */
  private final class Call<T> implements Handler<AsyncResult<T>>, Runnable {

    private final TimedOperation<T> operation;
    private final String address;
    private final Object body;
    private final DeliveryOptions options;
    final Promise<T> result;
    private final TargetPolicy callPolicy = policy;
    private final Context context;
    private CircuitGuard.Permit permit;
    private long startNanos;
    private long deadlineNanos;
    private int attempt;

    /** Either {@code operation}, or an event-bus request to {@code address}. */
    Call(TimedOperation<T> operation, String address, Object body, DeliveryOptions options, Promise<T> result) {
      this.operation = operation;
      this.address = address;
      this.body = body;
      this.options = options;
      this.result = result;
      this.context = Vertx.currentContext();
    }

    /** Starts a call that waited in the bulkhead's queue, on the context that made it. */
    @Override
    public void run() {
      if (context != null) {
        context.runOnContext(ignored -> start());
      } else {
        vertx.runOnContext(ignored -> start());
      }
    }

    void start() {
      permit = circuit.tryAcquire();
      if (permit == CircuitGuard.Permit.DENIED) {
        bulkhead.exit();
        increment(CallOutcome.CIRCUIT_OPEN);
        result.fail(new CircuitOpenException(target));
        return;
      }
      startNanos = clock.nanoTime();
      deadlineNanos = startNanos + callPolicy.timeoutMs() * 1_000_000L;
      attempt = 1;
      attempt(callPolicy.attemptBudgetMs(callPolicy.timeoutMs()));
    }

    void retry() {
      long remainingMs = (deadlineNanos - clock.nanoTime()) / 1_000_000L;
      if (remainingMs <= 0) {
        finish(Future.failedFuture(deadlinePassed()));
        return;
      }
      attempt(callPolicy.attemptBudgetMs(remainingMs));
    }

    private void attempt(long remainingMs) {
      Future<T> attemptResult;
      try {
        attemptResult = operation != null ? operation.attempt(remainingMs) : send(remainingMs);
      } catch (RuntimeException e) {
        attemptResult = Future.failedFuture(e);
      }
      attemptResult.onComplete(this);
    }

    @Override
    public void handle(AsyncResult<T> outcome) {
      if (outcome.failed() && attempt < callPolicy.retry().maxAttempts() && FailureCodes.retryable(outcome.cause())
          && circuit.state() != CircuitState.OPEN) {
        long delayMs = callPolicy.retry().delayMs(attempt, random.getAsDouble());
        if (clock.nanoTime() + delayMs * 1_000_000L < deadlineNanos) {
          attempt++;
          retryCounter.increment();
          clock.schedule(delayMs, this::retry);
          return;
        }
      }
      finish(outcome);
    }

    private void finish(AsyncResult<T> outcome) {
      long duration = clock.nanoTime() - startNanos;
      if (duration >= callPolicy.circuit().slowCallDurationMs() * 1_000_000L) {
        slowCalls.increment();
      }
      CallOutcome kind;
      if (outcome.succeeded()) {
        kind = CallOutcome.SUCCESS;
      } else if (isTimeout(outcome.cause())) {
        kind = CallOutcome.TIMEOUT;
      } else if (FailureCodes.retryable(outcome.cause())) {
        kind = CallOutcome.FAILURE;
      } else {
        kind = CallOutcome.REJECTED;
      }
      circuit.record(permit, duration, kind == CallOutcome.FAILURE || kind == CallOutcome.TIMEOUT);
      increment(kind);
      bulkhead.exit();
      if (kind == CallOutcome.TIMEOUT && !(outcome.cause() instanceof ReplyException)) {
        result.fail(deadlinePassed());
      } else {
        result.handle(outcome);
      }
    }

    @SuppressWarnings("unchecked")
    private Future<T> send(long remainingMs) {
      DeliveryOptions delivery;
      if (options != null) {
        delivery = new DeliveryOptions(options).setSendTimeout(remainingMs);
      } else {
        DeliveryOptions usual = firstAttemptOptions;
        delivery = usual.getSendTimeout() == remainingMs ? usual : new DeliveryOptions().setSendTimeout(remainingMs);
      }
      return (Future<T>) vertx.eventBus().request(address, body, delivery);
    }

    private ReplyException deadlinePassed() {
      return new ReplyException(ReplyFailure.TIMEOUT, "no answer from '" + target + "' in time (deadline " + callPolicy.timeoutMs()
          + " ms, " + attempt + (attempt == 1 ? " attempt)" : " attempts)"));
    }
  }
}
