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

  /** Choreographed flows only: an order was accepted and its flow starts; the order does not exist yet. */
  public static final String ORDER_PLACED = "order-placed";
  /** Choreographed flows only: the stock could not be reserved (out of stock, unknown SKU); nothing is held. */
  public static final String INVENTORY_REJECTED = "inventory-rejected";
  /** Choreographed flows only: reserved stock could not be confirmed as sold; the charge must be refunded. */
  public static final String INVENTORY_CONFIRMATION_REJECTED = "inventory-confirmation-rejected";
  /** Choreographed flows only: the charge was declined (insufficient funds); the reservation must be released. */
  public static final String PAYMENT_DECLINED = "payment-declined";
  /** Choreographed flows only: the shipment was refused (undeliverable); sold stock and the charge must be undone. */
  public static final String SHIPMENT_REJECTED = "shipment-rejected";

  public static final List<String> ALL = List.of(
      ORDER_CREATED, ORDER_COMPLETED, ORDER_CANCELLED,
      INVENTORY_RESERVED, INVENTORY_RELEASED, INVENTORY_CONFIRMED, INVENTORY_RESTOCKED,
      PAYMENT_PROCESSED, PAYMENT_REFUNDED,
      SHIPMENT_CREATED, SHIPMENT_CANCELLED,
      ORDER_PLACED, INVENTORY_REJECTED, INVENTORY_CONFIRMATION_REJECTED, PAYMENT_DECLINED, SHIPMENT_REJECTED);

  private EventTopics() {}
}
