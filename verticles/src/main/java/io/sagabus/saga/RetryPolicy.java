package io.sagabus.saga;

import io.sagabus.platform.eventbus.FailureCodes;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * How often and how patiently a step is tried: at most {@code maxAttempts} calls, waiting
 * {@code initialBackoff * 2^(n-1)} (capped at {@code maxBackoff}) between them, spread by +/- {@code jitter} so that
 * many sagas failing together do not retry in lockstep. Only failures {@code retryable} accepts are tried again;
 * by default timeouts, missing handlers and 5xx faults, never business refusals.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double jitter, Predicate<Throwable> retryable) {

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
    if (jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException("jitter must be between 0 and 1");
    }
  }

  public static RetryPolicy none() {
    return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 0, FailureCodes::retryable);
  }

  public static RetryPolicy exponential(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, 0.2, FailureCodes::retryable);
  }

  public RetryPolicy withJitter(double fraction) {
    return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, fraction, retryable);
  }

  public RetryPolicy retryOn(Predicate<Throwable> predicate) {
    return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, jitter, predicate);
  }

  /** Whether a call that failed with {@code failure} on attempt {@code attempt} (1-based) gets another try. */
  public boolean shouldRetry(int attempt, Throwable failure) {
    return attempt < maxAttempts && retryable.test(failure);
  }

  /** The wait before attempt {@code attempt + 1}. */
  public long backoffMs(int attempt) {
    double base = initialBackoff.toMillis() * Math.pow(2, Math.max(0, attempt - 1));
    double capped = Math.min(base, maxBackoff.toMillis());
    double spread = capped * jitter * (ThreadLocalRandom.current().nextDouble() * 2 - 1);
    return Math.max(1, Math.round(capped + spread));
  }
}
