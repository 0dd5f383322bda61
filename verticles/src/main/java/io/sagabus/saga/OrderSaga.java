package io.sagabus.saga;

import io.sagabus.inventory.contract.InventoryAddresses;
import io.sagabus.notification.contract.NotificationAddresses;
import io.sagabus.order.contract.OrderAddresses;
import io.sagabus.payment.contract.PaymentAddresses;
import io.sagabus.shipping.contract.ShippingAddresses;
import java.time.Duration;

/** The reference saga: an order from creation to completion. It uses the public DSL like any user-defined saga. */
public final class OrderSaga {

  public static final String TYPE = "order";

  private OrderSaga() {}

  /** {@code stepTimeout} bounds every participant call; the tests shorten it. */
  public static SagaDefinition definition(Duration stepTimeout, RetryPolicy retry, RetryPolicy compensationRetry) {
    return SagaDefinition.named(TYPE)
        .step("create-order").invoke(OrderAddresses.CREATE).compensateWith(OrderAddresses.CANCEL)
            .timeout(stepTimeout).retry(retry).retryCompensation(compensationRetry)
        .step("reserve-inventory").invoke(InventoryAddresses.RESERVE).compensateWith(InventoryAddresses.RELEASE)
            .timeout(stepTimeout).retry(retry).retryCompensation(compensationRetry)
        .step("charge-payment").invoke(PaymentAddresses.CHARGE).compensateWith(PaymentAddresses.REFUND)
            .timeout(stepTimeout).retry(retry).retryCompensation(compensationRetry)
        .step("confirm-inventory").invoke(InventoryAddresses.CONFIRM).compensateWith(InventoryAddresses.RESTOCK)
            .timeout(stepTimeout).retry(retry).retryCompensation(compensationRetry)
        .step("create-shipment").invoke(ShippingAddresses.CREATE).compensateWith(ShippingAddresses.CANCEL)
            .timeout(stepTimeout).retry(retry).retryCompensation(compensationRetry)
        .step("send-notification").invoke(NotificationAddresses.SEND).nonCritical()
            .sends("customerId", "orderId", "amount", "shipmentId")
            .timeout(stepTimeout).retry(retry)
        .step("complete-order").invoke(OrderAddresses.COMPLETE)
            .timeout(stepTimeout).retry(retry)
        .build();
  }
}
