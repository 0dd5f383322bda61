package io.sagabus.payment.contract;

/** Event-bus addresses of the payment service: customer balances, charges and refunds. */
public final class PaymentAddresses {

  /** Saga step: {@code {customerId, amount, paymentMethod}} -> {@code {chargeId, amount}}. Fails 422 on insufficient funds. */
  public static final String CHARGE = "payment.charge";
  /** Compensation of {@link #CHARGE}: refunds that charge in full. */
  public static final String REFUND = "payment.refund";
  /** Outcome of {@code (sagaId, step)}: {@code {state: succeeded|failed|aborted, result?}}; fences a step never seen. */
  public static final String STATUS = "payment.status";
  /** Query {@code {}} -> {@code {items:[{customerId, name, balance}]}}. */
  public static final String CUSTOMERS = "payment.customers";
  /** Query {@code {customerId}} -> {@code {customerId, balance, charged, refunded, charges:[...], refunds:[...]}}. Fails 404. */
  public static final String ACCOUNT = "payment.account";
  /** Fault injection for tests and drills. */
  public static final String FAULTS = "payment.faults";

  private PaymentAddresses() {}
}
