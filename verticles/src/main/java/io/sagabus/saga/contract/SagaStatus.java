package io.sagabus.saga.contract;

/**
 * The life of a saga: {@code PENDING -> RUNNING -> COMPLETED}, or {@code RUNNING -> COMPENSATING -> FAILED}, or
 * {@code COMPENSATING -> COMPENSATION_FAILED} (parked for a person), then {@code COMPENSATING} again on an admin
 * retry or {@code RESOLVED} when a person marks it resolved with a reason.
 */
public enum SagaStatus {
  PENDING, RUNNING, COMPENSATING, COMPLETED, FAILED, COMPENSATION_FAILED, RESOLVED;

  /** Finished sagas need no owner; a parked one waits for a person and is not running anywhere either. */
  public boolean terminal() {
    return this == COMPLETED || this == FAILED || this == RESOLVED;
  }

  public boolean active() {
    return this == PENDING || this == RUNNING || this == COMPENSATING;
  }
}
