package io.sagabus.platform.resilience;

import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.core.Vertx;
import java.util.List;
import org.HdrHistogram.Histogram;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One target's circuit. The state machine, the open-to-half-open timer and the state handlers are
 * vertx-circuit-breaker's; this class adds what it lacks: a failure-rate and a slow-call-rate threshold over a
 * count-based sliding window with a minimum number of calls, and a configurable number of half-open trial calls whose
 * outcome decides between closing and reopening.
 *
 * <p>Lock order: the breaker's monitor may be held while this class's is taken (in the state handlers), never the
 * reverse, so this class never calls the breaker while holding its own monitor.
 */
final class CircuitGuard {

  private static final byte SUCCESS = 0;
  private static final byte FAILURE = 1;
  private static final byte SLOW = 2;

  private final String target;
  private final Vertx vertx;
  private final List<CircuitListener> listeners;
  private volatile TargetPolicy.Circuit policy;
  private volatile CircuitBreaker breaker;
  private volatile CircuitState state = CircuitState.CLOSED;

  /** Ring of the last calls' outcomes while closed; guarded by this. */
  private byte[] window;
  private int next;
  private int size;
  private int failures;
  private int slowCalls;

  /** Call durations in microseconds since the last snapshot; guarded by this, like the window, to share its lock. */
  private Histogram latencyMicros = newHistogram();
  private static final long MAX_RECORDED_MICROS = 3_600_000_000L;

  private final AtomicInteger trialsStarted = new AtomicInteger();
  private final AtomicInteger trialsDone = new AtomicInteger();
  private final AtomicInteger trialsBad = new AtomicInteger();

  CircuitGuard(String target, Vertx vertx, TargetPolicy.Circuit policy, List<CircuitListener> listeners) {
    this.target = target;
    this.vertx = vertx;
    this.listeners = listeners;
    this.policy = policy;
    this.window = new byte[policy.slidingWindowSize()];
    this.breaker = newBreaker(policy);
  }

  /** What a call may do: run normally, run as a half-open trial, or not run. */
  enum Permit { CALL, TRIAL, DENIED }

  Permit tryAcquire() {
    CircuitState current = state;
    if (current == CircuitState.CLOSED) {
      return Permit.CALL;
    }
    if (current == CircuitState.HALF_OPEN && trialsStarted.incrementAndGet() <= policy.permittedCallsInHalfOpenState()) {
      return Permit.TRIAL;
    }
    return Permit.DENIED;
  }

  /** Records a finished call. {@code failed} means a failure that says the target is unhealthy. */
  void record(Permit permit, long durationNanos, boolean failed) {
    TargetPolicy.Circuit p = policy;
    boolean slow = durationNanos >= p.slowCallDurationMs() * 1_000_000L;
    if (permit == Permit.TRIAL) {
      synchronized (this) {
        latencyMicros.recordValue(Math.min(MAX_RECORDED_MICROS, Math.max(0, durationNanos / 1_000)));
      }
      recordTrial(p, failed, slow);
      return;
    }
    boolean trip = false;
    synchronized (this) {
      latencyMicros.recordValue(Math.min(MAX_RECORDED_MICROS, Math.max(0, durationNanos / 1_000)));
      byte outcome = (byte) ((failed ? FAILURE : SUCCESS) | (slow ? SLOW : SUCCESS));
      if (size == window.length) {
        byte evicted = window[next];
        failures -= evicted & FAILURE;
        slowCalls -= (evicted & SLOW) >> 1;
      } else {
        size++;
      }
      window[next] = outcome;
      next = next + 1 == window.length ? 0 : next + 1;
      failures += outcome & FAILURE;
      slowCalls += (outcome & SLOW) >> 1;
      if (state == CircuitState.CLOSED && size >= p.minimumNumberOfCalls()) {
        trip = failures * 100L >= (long) p.failureRateThreshold() * size || slowCalls * 100L >= (long) p.slowCallRateThreshold() * size;
      }
    }
    if (trip) {
      breaker.open();
    }
  }

  private void recordTrial(TargetPolicy.Circuit p, boolean failed, boolean slow) {
    if (failed || slow) {
      trialsBad.incrementAndGet();
    }
    int done = trialsDone.incrementAndGet();
    if (done != p.permittedCallsInHalfOpenState()) {
      return;
    }
    int bad = trialsBad.get();
    boolean reopen = bad * 100L >= (long) Math.min(p.failureRateThreshold(), p.slowCallRateThreshold()) * done;
    if (reopen) {
      breaker.open();
    } else {
      breaker.reset();
    }
  }

  CircuitState state() {
    return state;
  }

  /** Failure and slow-call rates over the window, in percent; -1 until the window holds the minimum number of calls. */
  synchronized WindowStats windowStats() {
    boolean enough = size >= policy.minimumNumberOfCalls();
    return new WindowStats(size, failures, slowCalls,
        enough ? failures * 100.0 / size : -1, enough ? slowCalls * 100.0 / size : -1);
  }

  /** The durations recorded since the previous call, and a fresh histogram for the next interval. */
  synchronized Histogram takeLatencies() {
    Histogram taken = latencyMicros;
    latencyMicros = newHistogram();
    return taken;
  }

  private static Histogram newHistogram() {
    return new Histogram(MAX_RECORDED_MICROS, 2);
  }

  record WindowStats(int calls, int failures, int slowCalls, double failureRate, double slowCallRate) {}

  void update(TargetPolicy.Circuit updated) {
    TargetPolicy.Circuit previous = policy;
    synchronized (this) {
      policy = updated;
      if (updated.slidingWindowSize() != window.length) {
        clearWindow(updated.slidingWindowSize());
      }
    }
    if (updated.waitDurationInOpenStateMs() != previous.waitDurationInOpenStateMs()) {
      CircuitBreaker old = breaker;
      CircuitBreaker replacement = newBreaker(updated);
      breaker = replacement;
      old.close();
      if (state != CircuitState.CLOSED) {
        replacement.open();
      }
    }
  }

  void close() {
    breaker.close();
  }

  private CircuitBreaker newBreaker(TargetPolicy.Circuit p) {
    CircuitBreaker created = CircuitBreaker.create("sagabus-" + target, vertx, new CircuitBreakerOptions()
        .setMaxFailures(Integer.MAX_VALUE)
        .setTimeout(-1)
        .setMaxRetries(0)
        .setNotificationAddress(null)
        .setResetTimeout(p.waitDurationInOpenStateMs()));
    created.openHandler(ignored -> transition(created, CircuitState.OPEN));
    created.halfOpenHandler(ignored -> transition(created, CircuitState.HALF_OPEN));
    created.closeHandler(ignored -> transition(created, CircuitState.CLOSED));
    return created;
  }

  private void transition(CircuitBreaker source, CircuitState to) {
    if (source != breaker && breaker != null) {
      return;
    }
    if (to == CircuitState.HALF_OPEN) {
      trialsStarted.set(0);
      trialsDone.set(0);
      trialsBad.set(0);
    }
    synchronized (this) {
      clearWindow(window.length);
    }
    CircuitState from = state;
    state = to;
    if (from != to) {
      for (CircuitListener listener : listeners) {
        listener.stateChanged(target, from, to);
      }
    }
  }

  private void clearWindow(int length) {
    window = new byte[length];
    next = 0;
    size = 0;
    failures = 0;
    slowCalls = 0;
  }
}
