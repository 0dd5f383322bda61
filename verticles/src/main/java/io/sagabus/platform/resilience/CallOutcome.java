package io.sagabus.platform.resilience;

/** How a protected call ended; the {@code outcome} label of {@code sagabus_resilience_calls_total}. */
enum CallOutcome {
  /** The target answered. */
  SUCCESS("success"),
  /** The target refused on business grounds (a non-retryable failure); it is healthy, so the circuit counts a success. */
  REJECTED("rejected"),
  /** A retryable failure remained after the last attempt. */
  FAILURE("failure"),
  /** The deadline passed. */
  TIMEOUT("timeout"),
  /** Not attempted: the circuit was open. */
  CIRCUIT_OPEN("circuit_open"),
  /** Not attempted: the bulkhead and its queue were full. */
  BULKHEAD_FULL("bulkhead_full");

  final String label;

  CallOutcome(String label) {
    this.label = label;
  }
}
