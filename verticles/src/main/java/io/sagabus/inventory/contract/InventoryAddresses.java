package io.sagabus.inventory.contract;

/** Event-bus addresses of the inventory service. Bodies are JSON objects. */
public final class InventoryAddresses {

  /**
   * Stock query. Request {@code {"sku": "..."}} for one SKU, or {@code {}} for all. Reply: a stock level
   * {@code {"sku","available","reserved","sold"}}, or {@code {"items": [levels]}}. Fails with 404 for an unknown SKU.
   */
  public static final String STOCK = "inventory.stock";

  private InventoryAddresses() {}
}
