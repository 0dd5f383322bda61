package io.sagabus.platform.events;

/** The wait before a failed handler gets its event again: doubling from 100 ms, capped at 5 s. */
final class RetryBackoff {

  static final long FIRST_MS = 100;
  static final long MAX_MS = 5_000;

  private RetryBackoff() {}

  /** The delay before redelivery number {@code failures} (1 for the first failure). */
  static long delayMs(int failures) {
    int doublings = Math.min(Math.max(failures - 1, 0), 20);
    return Math.min(MAX_MS, FIRST_MS << doublings);
  }
}
