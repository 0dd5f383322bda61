package io.sagabus.orderview.contract;

import java.util.List;

/**
 * Event-bus addresses of the order-view service (role {@value #ROLE}): the CQRS read model of orders, their
 * event-sourced history, the projection rebuild and the stream statistics. Failures use the platform's failure
 * codes: 400 naming the bad field, 404 for an unknown order, 409 when a rebuild is already running.
 */
public final class OrderViewAddresses {

  public static final String ROLE = "orderview";

  /** The view statuses a query may filter on. */
  public static final List<String> STATUSES = List.of("PENDING", "COMPLETED", "CANCELLED");
  public static final int MAX_LIMIT = 500;
  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_CUSTOMER_ID = 100;

  /**
   * {@code {customerId?, status?, limit? (1..500, 50), cursor?}} -> {@code {items: [view], nextCursor?}}, newest
   * order first. A view is {@code {orderId, sagaId, customerId, items: [{sku, qty, price?}], paymentMethod,
   * shippingAddress, totals: {itemCount, amount, reserved?, charged?, refunded?, completed?}, status, sagaOutcome?
   * (COMPLETED|COMPENSATED), inventory?, payment?, shipment?, createdAt, updatedAt, timeline: [{eventId, type,
   * occurredAt}]}}.
   */
  public static final String QUERY = "orderview.query";

  /**
   * {@code {orderId}} -> {@code {orderId, version, steps: [{version, event: {eventId, type, occurredAt, payload},
   * state}], state}}: the order rebuilt from its stored events, the state after each and the final one. 404 when
   * the order has no events.
   */
  public static final String HISTORY = "orderview.history";

  /** {@code {}} -> the rebuild status below, once the rebuild has started; 409 while one is running. */
  public static final String REBUILD = "orderview.rebuild";

  /**
   * {@code {}} -> {@code {state: idle|running|switched|failed, generation?, from?, applied?, liveApplied?,
   * startedAt?, switchedAt?, error?}}: the latest rebuild, from any node.
   */
  public static final String REBUILD_STATUS = "orderview.rebuild.status";

  /** Published when a rebuilt generation becomes active: {@code {generation}}. Every node moves its projection to it. */
  public static final String GENERATION_ACTIVATED = "orderview.generation.activated";

  /**
   * Published by every order-view node once per interval: {@code {at, node, windowSeconds, ordersPerMin,
   * revenuePerMin, cancelRate, created, completed, cancelled}} over the sliding window of event time.
   */
  public static final String STATS = "orderview.stats";

  private OrderViewAddresses() {}
}
