package io.sagabus.platform.resilience;

import io.sagabus.platform.config.ConfigReader;
import io.vertx.core.json.JsonObject;

/**
 * How calls to one target are protected. {@code timeoutMs} is the deadline of a whole call, retries included;
 * {@code attemptTimeoutMs} (0: none) bounds each attempt, so an attempt that gets no answer leaves time to retry.
 * Read from {@code resilience.defaults}, then
 * {@code resilience.targets.<target>} on top; every key is optional and falls back to the layer below.
 */
public record TargetPolicy(Bulkhead bulkhead, Circuit circuit, long timeoutMs, long attemptTimeoutMs, Retry retry) {

  /** At most {@code maxConcurrent} calls run; up to {@code maxQueue} more wait; the rest are refused at once. */
  public record Bulkhead(int maxConcurrent, int maxQueue) {}

  /**
   * Resilience4j-style thresholds over a count-based window of the last {@code slidingWindowSize} calls, evaluated
   * once at least {@code minimumNumberOfCalls} are in it. Percentages are 1..100.
   */
  public record Circuit(
      int failureRateThreshold,
      int slowCallRateThreshold,
      long slowCallDurationMs,
      int slidingWindowSize,
      int minimumNumberOfCalls,
      long waitDurationInOpenStateMs,
      int permittedCallsInHalfOpenState) {}

  /**
   * Up to {@code maxAttempts} attempts in all. The delay before attempt n+1 is
   * {@code min(maxDelayMs, initialDelayMs * multiplier^(n-1))}, spread by ±{@code jitter} (a fraction).
   */
  public record Retry(int maxAttempts, long initialDelayMs, double multiplier, long maxDelayMs, double jitter) {

    /** The delay after failed attempt {@code attempt} (1-based); {@code random} is uniform in [0, 1). */
    public long delayMs(int attempt, double random) {
      double base = Math.min(maxDelayMs, initialDelayMs * Math.pow(multiplier, attempt - 1));
      double spread = base * jitter * (2 * random - 1);
      return Math.max(0, Math.min(maxDelayMs, Math.round(base + spread)));
    }
  }

  public static final TargetPolicy BUILT_IN = new TargetPolicy(
      new Bulkhead(64, 256),
      new Circuit(50, 100, 2_000, 100, 20, 5_000, 3),
      5_000,
      0,
      new Retry(3, 100, 2.0, 2_000, 0.5));

  /** How long one attempt may take: {@code attemptTimeoutMs} when set, never beyond the call's deadline. */
  public long attemptBudgetMs(long remainingMs) {
    return attemptTimeoutMs > 0 ? Math.min(attemptTimeoutMs, remainingMs) : remainingMs;
  }

  /** Reads {@code section} with every missing key taken from {@code base}. */
  public static TargetPolicy read(ConfigReader section, TargetPolicy base) {
    ConfigReader bulkhead = section.section("bulkhead");
    ConfigReader circuit = section.section("circuit");
    ConfigReader retry = section.section("retry");
    Circuit c = base.circuit();
    Circuit readCircuit = new Circuit(
        circuit.integer("failureRateThreshold", c.failureRateThreshold(), 1, 100),
        circuit.integer("slowCallRateThreshold", c.slowCallRateThreshold(), 1, 100),
        circuit.longValue("slowCallDurationMs", c.slowCallDurationMs(), 1, 3_600_000),
        circuit.integer("slidingWindowSize", c.slidingWindowSize(), 1, 10_000),
        circuit.integer("minimumNumberOfCalls", c.minimumNumberOfCalls(), 1, 10_000),
        circuit.longValue("waitDurationInOpenStateMs", c.waitDurationInOpenStateMs(), 1, 3_600_000),
        circuit.integer("permittedCallsInHalfOpenState", c.permittedCallsInHalfOpenState(), 1, 1_000));
    if (readCircuit.minimumNumberOfCalls() > readCircuit.slidingWindowSize()) {
      throw new io.sagabus.platform.config.ConfigException(circuit.key("minimumNumberOfCalls"),
          "must not exceed slidingWindowSize (" + readCircuit.slidingWindowSize() + ")");
    }
    Retry r = base.retry();
    Retry readRetry = new Retry(
        retry.integer("maxAttempts", r.maxAttempts(), 1, 100),
        retry.longValue("initialDelayMs", r.initialDelayMs(), 0, 3_600_000),
        retry.decimal("multiplier", r.multiplier(), 1.0, 100.0),
        retry.longValue("maxDelayMs", r.maxDelayMs(), 0, 3_600_000),
        retry.decimal("jitter", r.jitter(), 0.0, 1.0));
    return new TargetPolicy(
        new Bulkhead(
            bulkhead.integer("maxConcurrent", base.bulkhead().maxConcurrent(), 1, 100_000),
            bulkhead.integer("maxQueue", base.bulkhead().maxQueue(), 0, 1_000_000)),
        readCircuit,
        section.longValue("timeoutMs", base.timeoutMs(), 1, 3_600_000),
        section.longValue("attemptTimeoutMs", base.attemptTimeoutMs(), 0, 3_600_000),
        readRetry);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("bulkhead", new JsonObject().put("maxConcurrent", bulkhead.maxConcurrent()).put("maxQueue", bulkhead.maxQueue()))
        .put("circuit", new JsonObject()
            .put("failureRateThreshold", circuit.failureRateThreshold())
            .put("slowCallRateThreshold", circuit.slowCallRateThreshold())
            .put("slowCallDurationMs", circuit.slowCallDurationMs())
            .put("slidingWindowSize", circuit.slidingWindowSize())
            .put("minimumNumberOfCalls", circuit.minimumNumberOfCalls())
            .put("waitDurationInOpenStateMs", circuit.waitDurationInOpenStateMs())
            .put("permittedCallsInHalfOpenState", circuit.permittedCallsInHalfOpenState()))
        .put("timeoutMs", timeoutMs)
        .put("attemptTimeoutMs", attemptTimeoutMs)
        .put("retry", new JsonObject()
            .put("maxAttempts", retry.maxAttempts())
            .put("initialDelayMs", retry.initialDelayMs())
            .put("multiplier", retry.multiplier())
            .put("maxDelayMs", retry.maxDelayMs())
            .put("jitter", retry.jitter()));
  }
}
