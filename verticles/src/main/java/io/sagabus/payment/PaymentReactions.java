package io.sagabus.payment;

import static io.sagabus.platform.events.EventTopics.INVENTORY_CONFIRMATION_REJECTED;
import static io.sagabus.platform.events.EventTopics.INVENTORY_RESERVED;
import static io.sagabus.platform.events.EventTopics.INVENTORY_RESTOCKED;
import static io.sagabus.platform.events.EventTopics.PAYMENT_DECLINED;

import io.micrometer.core.instrument.MeterRegistry;
import io.sagabus.payment.contract.PaymentAddresses;
import io.sagabus.platform.choreography.Reactor;
import io.sagabus.platform.events.EventLog;

/**
 * Payment's part in the choreographed order flow: charge once stock is reserved, refund once sold stock is back.
 * Payment announces {@code payment-processed} and {@code payment-refunded} itself.
 */
final class PaymentReactions {

  private PaymentReactions() {}

  static Reactor reactor(EventLog log, MeterRegistry metrics) {
    return Reactor.forService("payment")
        .when(INVENTORY_RESERVED).invoke("charge-payment", PaymentAddresses.CHARGE).ifRefusedAnnounce(PAYMENT_DECLINED)
        .when(INVENTORY_RESTOCKED, INVENTORY_CONFIRMATION_REJECTED).compensate("charge-payment", PaymentAddresses.REFUND)
        .build(log, metrics);
  }
}
