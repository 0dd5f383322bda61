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
  /** Query {@code {orderId}} -> {@code {orderId, sagaId, customerId, items, status, amount?}}. Fails 404. */
  public static final String GET = "order.get";
  /** Fault injection for tests and drills, see {@code platform.participant.Faults}. */
  public static final String FAULTS = "order.faults";

  private OrderAddresses() {}
}
