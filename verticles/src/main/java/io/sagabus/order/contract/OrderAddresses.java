package io.sagabus.order.contract;

/**
 * Event-bus addresses of the order service. Saga commands carry {@code sagaId, step, attempt}; the service is
 * idempotent on {@code (sagaId, step)}.
 */
public final class OrderAddresses {

  /** Saga step. {@code {orderId, customerId, items:[{sku, qty}], paymentMethod, shippingAddress}} -> {@code {orderId}}. */
  public static final String CREATE = "order.create";
  /** Saga step: marks the order completed. {@code {orderId}} -> {@code {orderId, status}}. */
  public static final String COMPLETE = "order.complete";
  /** Compensation of {@link #CREATE}: marks the order cancelled. */
  public static final String CANCEL = "order.cancel";
  /** Outcome of {@code (sagaId, step)}: {@code {state: succeeded|failed|aborted, result?}}; fences a step never seen. */
  public static final String STATUS = "order.status";
  /**
   * Places an order to run as a choreographed flow: {@code {sagaId, orderId, customerId, items, paymentMethod,
   * shippingAddress}} -> {@code {sagaId, orderId, mode, status}} once the {@code order-placed} event is durable. The
   * order exists as soon as the order service has reacted to that event. Fails 400 for a bad order, 503 when the event
   * log is unavailable (nothing was placed, or the same placement was: a retry with the same sagaId is safe).
   */
  public static final String PLACE = "order.place";
  /** Query {@code {orderId}} -> {@code {orderId, sagaId, customerId, items, status, amount?}}. Fails 404. */
  public static final String GET = "order.get";
  /** Fault injection for tests and drills, see {@code platform.participant.Faults}. */
  public static final String FAULTS = "order.faults";

  private OrderAddresses() {}
}
