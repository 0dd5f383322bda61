package io.sagabus.notification;

import static io.sagabus.platform.events.EventTopics.SHIPMENT_CREATED;

import io.micrometer.core.instrument.MeterRegistry;
import io.sagabus.notification.contract.NotificationAddresses;
import io.sagabus.platform.choreography.Reactor;
import io.sagabus.platform.events.EventLog;

/** Notification's part in the choreographed order flow: tell the customer the order ships; a failure is only counted. */
final class NotificationReactions {

  private NotificationReactions() {}

  static Reactor reactor(EventLog log, MeterRegistry metrics) {
    return Reactor.forService("notification")
        .when(SHIPMENT_CREATED).invoke("send-notification", NotificationAddresses.SEND).nonCritical()
        .build(log, metrics);
  }
}
