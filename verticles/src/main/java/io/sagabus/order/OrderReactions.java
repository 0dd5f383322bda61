package io.sagabus.order;

import static io.sagabus.platform.events.EventTopics.INVENTORY_REJECTED;
import static io.sagabus.platform.events.EventTopics.INVENTORY_RELEASED;
import static io.sagabus.platform.events.EventTopics.ORDER_PLACED;
import static io.sagabus.platform.events.EventTopics.SHIPMENT_CREATED;

import io.micrometer.core.instrument.MeterRegistry;
import io.sagabus.order.contract.OrderAddresses;
import io.sagabus.platform.choreography.Reactor;
import io.sagabus.platform.events.EventLog;

/**
 * The order service starts and ends a choreographed flow: it creates the order a placement asked for, completes it
 * once shipped, and cancels it once the stock is back (or was never taken), announcing {@code order-created},
 * {@code order-completed} and {@code order-cancelled} itself. An order that cannot be created (its id belongs to
 * another flow) has nothing to undo, so nothing follows.
 */
final class OrderReactions {

  private OrderReactions() {}

  static Reactor reactor(EventLog log, MeterRegistry metrics) {
    return Reactor.forService("order")
        .when(ORDER_PLACED).invoke("create-order", OrderAddresses.CREATE)
        .when(SHIPMENT_CREATED).invoke("complete-order", OrderAddresses.COMPLETE)
        .when(INVENTORY_REJECTED, INVENTORY_RELEASED).compensate("create-order", OrderAddresses.CANCEL)
        .build(log, metrics);
  }
}
