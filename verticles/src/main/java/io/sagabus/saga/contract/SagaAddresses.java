package io.sagabus.saga.contract;

/**
 * Event-bus addresses of the saga orchestrator. Bodies are JSON objects; a saga view is
 * {@code {sagaId, type, status, input, data, currentStep, retrying, parked, createdAt, updatedAt, error, resolution,
 * steps:[{name, status, critical, attempts:[{kind, attempt, startedAt, endedAt, outcome, error}]}], transitions:[...]}}.
 */
public final class SagaAddresses {

  /**
   * Starts a saga. Request {@code {type, input, idempotencyKey?, requestHash?, waitMs?}}. Reply: the saga view, after
   * it ends when {@code waitMs} is given and it ends in time, else at once. Fails 404 for an unknown type, 409 when the
   * idempotency key was used with another request hash, 400 for a bad request.
   */
  public static final String START = "saga.start";
  /** One saga. Request {@code {sagaId}}. Reply: the saga view. Fails 404. */
  public static final String GET = "saga.get";
  /**
   * A page of sagas, newest first. Request {@code {status?, limit?, cursor?}} where status is a {@link SagaStatus}
   * name, {@code retrying} or {@code parked}. Reply {@code {items:[view], nextCursor}}.
   */
  public static final String LIST = "saga.list";
  /** Admin: retries the compensation of a parked saga. Request {@code {sagaId}}. Reply: the view. Fails 404 or 409. */
  public static final String RETRY_COMPENSATION = "saga.admin.retry";
  /** Admin: marks a parked saga resolved. Request {@code {sagaId, reason}}. Reply: the view. Fails 400, 404 or 409. */
  public static final String RESOLVE = "saga.admin.resolve";
  /**
   * Published (not sent) by each engine in batches, at most 100 ms after the transitions they carry:
   * {@code {events:[event]}}, each event one saga or step transition,
   * {@code {sagaId, type, kind:"saga"|"step", from, to, step?, attempt?, error?, at}}, in the order they happened.
   */
  public static final String EVENTS = "saga.events";

  private SagaAddresses() {}
}
