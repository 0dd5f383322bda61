package io.sagabus.shipping;

import static io.sagabus.platform.events.EventTopics.INVENTORY_CONFIRMED;
import static io.sagabus.platform.events.EventTopics.SHIPMENT_REJECTED;

import io.micrometer.core.instrument.MeterRegistry;
import io.sagabus.platform.choreography.Reactor;
import io.sagabus.platform.events.EventLog;
import io.sagabus.shipping.contract.ShippingAddresses;

/**
 * Shipping's part in the choreographed order flow: ship sold stock (shipping announces {@code shipment-created}), or
 * refuse an undeliverable address.
 */
final class ShippingReactions {

  private ShippingReactions() {}

  static Reactor reactor(EventLog log, MeterRegistry metrics) {
    return Reactor.forService("shipping")
        .when(INVENTORY_CONFIRMED).invoke("create-shipment", ShippingAddresses.CREATE).ifRefusedAnnounce(SHIPMENT_REJECTED)
        .build(log, metrics);
  }
}
