package io.sagabus.platform.resilience;

import io.micrometer.core.instrument.MeterRegistry;
import io.sagabus.platform.NodeContext;
import io.sagabus.platform.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * Protects calls to other services, one stack per target (a service name): bulkhead, circuit breaker, timeout,
 * retry. One instance per node, shared by every verticle on it, so the circuit for a target is the node's view of
 * that target. Its settings can be replaced at runtime; calls already running keep the policy they started with.
 *
 * <pre>{@code
 * ResilientCaller caller = ResilientCaller.forNode(vertx, node);
 * caller.request("payment", "payment.charge", body).onSuccess(reply -> ...);
 * caller.call("payment", () -> webClient.get(...).send());
 * }</pre>
 */
public final class ResilientCaller implements Shareable {

  private static final String LOCAL_MAP = "sagabus.platform";
  private static final String KEY = "resilient-caller";

  private final Vertx vertx;
  private final MeterRegistry metrics;
  private final ResilienceClock clock;
  private final DoubleSupplier random;
  private final Map<String, TargetStack> stacks = new ConcurrentHashMap<>();
  private final List<CircuitListener> listeners = new CopyOnWriteArrayList<>();
  private volatile ResilienceSettings settings;

  private ResilientCaller(Vertx vertx, ResilienceSettings settings, MeterRegistry metrics, ResilienceClock clock, DoubleSupplier random) {
    this.vertx = vertx;
    this.settings = settings;
    this.metrics = metrics;
    this.clock = clock;
    this.random = random;
  }

  /** The node's caller, made on first use from the node's {@code resilience} config section. */
  public static ResilientCaller forNode(Vertx vertx, NodeContext node) {
    LocalMap<String, ResilientCaller> map = vertx.sharedData().getLocalMap(LOCAL_MAP);
    return map.computeIfAbsent(KEY, ignored -> new ResilientCaller(vertx,
        ResilienceSettings.read(node.config().section(ResilienceSettings.SECTION)), node.metrics(),
        ResilienceClock.system(vertx), () -> ThreadLocalRandom.current().nextDouble()));
  }

  /** A caller of its own, for tests and benchmarks: a controllable clock and source of jitter. */
  public static ResilientCaller create(Vertx vertx, ResilienceSettings settings, MeterRegistry metrics, ResilienceClock clock, DoubleSupplier random) {
    return new ResilientCaller(vertx, settings, metrics, clock, random);
  }

  /**
   * Calls {@code operation} through {@code target}'s stack. Each attempt learns how much time is left before the
   * deadline and must finish within it. Fails with {@link BulkheadFullException} or {@link CircuitOpenException}
   * (both code 503) when not attempted, a TIMEOUT {@code ReplyException} when the deadline passes, or the last
   * attempt's failure.
   */
  public <T> Future<T> call(String target, TimedOperation<T> operation) {
    return stack(target).call(operation);
  }

  /** Like {@link #call(String, TimedOperation)} for an operation that knows no deadline; the stack enforces it. */
  public <T> Future<T> call(String target, Supplier<Future<T>> operation) {
    return stack(target).call(remainingMs -> operation.get().timeout(remainingMs, TimeUnit.MILLISECONDS));
  }

  /** An event-bus request through {@code target}'s stack; each attempt's send timeout is the time left. */
  public <T> Future<Message<T>> request(String target, String address, Object body) {
    return stack(target).request(address, body, null);
  }

  /** {@link #request(String, String, Object)} with headers or a codec; the send timeout is still the time left. */
  public <T> Future<Message<T>> request(String target, String address, Object body, DeliveryOptions options) {
    return stack(target).request(address, body, options);
  }

  public CircuitState circuitState(String target) {
    TargetStack stack = stacks.get(target);
    return stack == null ? CircuitState.CLOSED : stack.state();
  }

  /** True while calls to {@code target} are refused without being attempted. */
  public boolean isOpen(String target) {
    return circuitState(target) == CircuitState.OPEN;
  }

  public void onStateChange(CircuitListener listener) {
    listeners.add(listener);
  }

  public void removeListener(CircuitListener listener) {
    listeners.remove(listener);
  }

  public ResilienceSettings settings() {
    return settings;
  }

  /**
   * Replaces the settings; every target's limits and thresholds change at once, without a restart. Validate first
   * with {@link ResilienceSettings#fromSection}, which throws a {@link ConfigException} naming the bad key.
   */
  public void update(ResilienceSettings updated) {
    settings = updated;
    stacks.forEach((target, stack) -> stack.update(updated.policyFor(target)));
  }

  /** Every target this node has called, with its state and figures. */
  public JsonArray snapshot() {
    JsonArray circuits = new JsonArray();
    stacks.values().stream().map(TargetStack::snapshot)
        .sorted((a, b) -> a.getString("target").compareTo(b.getString("target")))
        .forEach(circuits::add);
    return circuits;
  }

  public JsonObject snapshot(String target) {
    TargetStack stack = stacks.get(target);
    return stack == null ? null : stack.snapshot();
  }

  private TargetStack stack(String target) {
    TargetStack stack = stacks.get(target);
    if (stack != null) {
      return stack;
    }
    return stacks.computeIfAbsent(target, name -> new TargetStack(name, vertx, settings.policyFor(name), clock, random, metrics, listeners));
  }
}
