package io.sagabus.inventory;

import static io.sagabus.platform.events.EventTopics.INVENTORY_CONFIRMATION_REJECTED;
import static io.sagabus.platform.events.EventTopics.INVENTORY_CONFIRMED;
import static io.sagabus.platform.events.EventTopics.INVENTORY_REJECTED;
import static io.sagabus.platform.events.EventTopics.INVENTORY_RELEASED;
import static io.sagabus.platform.events.EventTopics.INVENTORY_RESERVED;
import static io.sagabus.platform.events.EventTopics.INVENTORY_RESTOCKED;
import static io.sagabus.platform.events.EventTopics.ORDER_CREATED;
import static io.sagabus.platform.events.EventTopics.PAYMENT_DECLINED;
import static io.sagabus.platform.events.EventTopics.PAYMENT_PROCESSED;
import static io.sagabus.platform.events.EventTopics.PAYMENT_REFUNDED;
import static io.sagabus.platform.events.EventTopics.SHIPMENT_REJECTED;

import io.micrometer.core.instrument.MeterRegistry;
import io.sagabus.inventory.contract.InventoryAddresses;
import io.sagabus.platform.choreography.Reactor;
import io.sagabus.platform.events.EventLog;

/**
 * Inventory's part in the choreographed order flow: reserve stock for a new order, sell it once paid, and give it
 * back when a later step fails. Step names match the orchestrated saga's.
 */
final class InventoryReactions {

  private InventoryReactions() {}

  static Reactor reactor(EventLog log, MeterRegistry metrics) {
    return Reactor.group("inventory")
        .when(ORDER_CREATED).invoke("reserve-inventory", InventoryAddresses.RESERVE)
            .emit(INVENTORY_RESERVED).orOnRejection(INVENTORY_REJECTED)
        .when(PAYMENT_PROCESSED).invoke("confirm-inventory", InventoryAddresses.CONFIRM)
            .emit(INVENTORY_CONFIRMED).orOnRejection(INVENTORY_CONFIRMATION_REJECTED)
        .when(SHIPMENT_REJECTED).compensate("confirm-inventory", InventoryAddresses.RESTOCK)
            .emit(INVENTORY_RESTOCKED)
        .when(PAYMENT_DECLINED, PAYMENT_REFUNDED).compensate("reserve-inventory", InventoryAddresses.RELEASE)
            .emit(INVENTORY_RELEASED)
        .build(log, metrics);
  }
}
