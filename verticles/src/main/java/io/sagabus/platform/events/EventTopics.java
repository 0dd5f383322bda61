package io.sagabus.platform.events;

import java.util.List;

/** The domain-event topics. An event's type is its topic's name; every topic is keyed by orderId. */
public final class EventTopics {

  public static final String ORDER_CREATED = "order-created";
  public static final String ORDER_COMPLETED = "order-completed";
  public static final String ORDER_CANCELLED = "order-cancelled";
  public static final String INVENTORY_RESERVED = "inventory-reserved";
  public static final String INVENTORY_RELEASED = "inventory-released";
  public static final String INVENTORY_CONFIRMED = "inventory-confirmed";
  public static final String INVENTORY_RESTOCKED = "inventory-restocked";
  public static final String PAYMENT_PROCESSED = "payment-processed";
  public static final String PAYMENT_REFUNDED = "payment-refunded";
  public static final String SHIPMENT_CREATED = "shipment-created";
  public static final String SHIPMENT_CANCELLED = "shipment-cancelled";

  public static final List<String> ALL = List.of(
      ORDER_CREATED, ORDER_COMPLETED, ORDER_CANCELLED,
      INVENTORY_RESERVED, INVENTORY_RELEASED, INVENTORY_CONFIRMED, INVENTORY_RESTOCKED,
      PAYMENT_PROCESSED, PAYMENT_REFUNDED,
      SHIPMENT_CREATED, SHIPMENT_CANCELLED);

  private EventTopics() {}
}
