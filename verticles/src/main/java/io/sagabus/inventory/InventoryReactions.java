package io.sagabus.inventory;

import static io.sagabus.platform.events.EventTopics.INVENTORY_CONFIRMATION_REJECTED;
import static io.sagabus.platform.events.EventTopics.INVENTORY_REJECTED;
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
 * back when a later step fails. Inventory announces each change itself ({@code inventory-reserved},
 * {@code -confirmed}, {@code -restocked}, {@code -released}); step names match the orchestrated saga's.
 */
final class InventoryReactions {

  private InventoryReactions() {}

  static Reactor reactor(EventLog log, MeterRegistry metrics) {
    return Reactor.forService("inventory")
        .when(ORDER_CREATED).invoke("reserve-inventory", InventoryAddresses.RESERVE).ifRefusedAnnounce(INVENTORY_REJECTED)
        .when(PAYMENT_PROCESSED).invoke("confirm-inventory", InventoryAddresses.CONFIRM).ifRefusedAnnounce(INVENTORY_CONFIRMATION_REJECTED)
        .when(SHIPMENT_REJECTED).compensate("confirm-inventory", InventoryAddresses.RESTOCK)
        .when(PAYMENT_DECLINED, PAYMENT_REFUNDED).compensate("reserve-inventory", InventoryAddresses.RELEASE)
        .build(log, metrics);
  }
}
