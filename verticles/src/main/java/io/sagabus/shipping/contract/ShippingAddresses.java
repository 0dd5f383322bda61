package io.sagabus.shipping.contract;

/** Event-bus addresses of the shipping service. */
public final class ShippingAddresses {

  /**
   * Saga step: {@code {orderId, shippingAddress:{street, city, country}}} -> {@code {shipmentId}}. Fails 422 when the
   * address is undeliverable (a country the carrier does not serve).
   */
  public static final String CREATE = "shipping.create";
  /** Compensation of {@link #CREATE}: cancels the shipment. */
  public static final String CANCEL = "shipping.cancel";
  /** Outcome of {@code (sagaId, step)}: {@code {state: succeeded|failed|aborted, result?}}; fences a step never seen. */
  public static final String STATUS = "shipping.status";
  /** Fault injection for tests and drills. */
  public static final String FAULTS = "shipping.faults";

  private ShippingAddresses() {}
}
