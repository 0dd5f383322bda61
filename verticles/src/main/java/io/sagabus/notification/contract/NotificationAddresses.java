package io.sagabus.notification.contract;

/** Event-bus addresses of the notification service. */
public final class NotificationAddresses {

  /** Saga step: {@code {customerId, orderId}} -> {@code {notificationId}}. May fail; the order saga treats it as non-critical. */
  public static final String SEND = "notification.send";
  /** Outcome of {@code (sagaId, step)}. */
  public static final String STATUS = "notification.status";
  /** Query {@code {}} -> {@code {sent}}: how many notifications went out. */
  public static final String SENT = "notification.sent";
  /** Fault injection for tests and drills. */
  public static final String FAULTS = "notification.faults";

  private NotificationAddresses() {}
}
