package io.sagabus.ratelimit;

import io.vertx.core.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A shared backend (Redis) with an outage policy. After a failure the primary is skipped for {@code probeMillis};
 * the first decision after that tries it again, so the limiter returns to Redis by itself once it is back.
 * Fail-open decides with the fallback buckets and marks the decision degraded; fail-closed refuses with
 * {@link BackendUnavailableException}.
 */
public final class FailoverBackend implements RateLimitBackend {

  public enum OutagePolicy {
    FAIL_OPEN, FAIL_CLOSED;

    public static OutagePolicy parse(String text) {
      return switch (text) {
        case "fail-open" -> FAIL_OPEN;
        case "fail-closed" -> FAIL_CLOSED;
        default -> throw new IllegalArgumentException("must be fail-open or fail-closed, got '" + text + "'");
      };
    }
  }

  /** Told about outages, for metrics. */
  public interface OutageListener {
    void fallbackActivated();

    void fallbackDecision();
  }

  public static final class BackendUnavailableException extends RuntimeException {
    public BackendUnavailableException(String message) {
      super(message, null, false, false);
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(FailoverBackend.class);

  private final RateLimitBackend primary;
  private final RateLimitBackend fallback;
  private final OutagePolicy policy;
  private final long probeMillis;
  private final LongSupplier clock;
  private final OutageListener listener;
  // Decisions run on every event loop of the node, so the outage state is shared and read without locks.
  private final AtomicBoolean down = new AtomicBoolean();
  private volatile long skipPrimaryUntil;

  public FailoverBackend(RateLimitBackend primary, RateLimitBackend fallback, OutagePolicy policy, long probeMillis,
      LongSupplier clockMillis, OutageListener listener) {
    this.primary = primary;
    this.fallback = fallback;
    this.policy = policy;
    this.probeMillis = probeMillis;
    this.clock = clockMillis;
    this.listener = listener;
  }

  @Override
  public Future<Decision> take(String key, BucketPolicy bucket, int cost) {
    if (down.get() && clock.getAsLong() < skipPrimaryUntil) {
      return degraded(key, bucket, cost);
    }
    return primary.take(key, bucket, cost)
        .onSuccess(decision -> recovered())
        .recover(failure -> {
          failed(failure);
          return degraded(key, bucket, cost);
        });
  }

  public boolean down() {
    return down.get();
  }

  @Override
  public String name() {
    return primary.name();
  }

  private Future<Decision> degraded(String key, BucketPolicy bucket, int cost) {
    if (policy == OutagePolicy.FAIL_CLOSED) {
      return Future.failedFuture(new BackendUnavailableException("the " + primary.name() + " rate-limit backend is unreachable"));
    }
    listener.fallbackDecision();
    return fallback.take(key, bucket, cost).map(Decision::asDegraded);
  }

  private void failed(Throwable failure) {
    skipPrimaryUntil = clock.getAsLong() + probeMillis;
    if (down.compareAndSet(false, true)) {
      listener.fallbackActivated();
      LOG.warn("rate-limit backend {} unreachable ({}); {} until it answers again", primary.name(), failure.toString(),
          policy == OutagePolicy.FAIL_OPEN ? "deciding with local fallback buckets" : "refusing requests (fail-closed)");
    }
  }

  private void recovered() {
    if (down.get() && down.compareAndSet(true, false)) {
      LOG.info("rate-limit backend {} is back; decisions use it again", primary.name());
    }
  }
}
