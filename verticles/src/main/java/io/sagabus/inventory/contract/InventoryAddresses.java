package io.sagabus.inventory.contract;

/**
 * Event-bus addresses of the inventory service. Bodies are JSON objects. Saga commands carry
 * {@code sagaId, step, attempt} and are idempotent on {@code (sagaId, step)}. For every SKU
 * {@code available + reserved + sold} stays equal to the stock ever received.
 */
public final class InventoryAddresses {

  /**
   * Stock query. Request {@code {"sku": "..."}} for one SKU, or {@code {}} for all. Reply: a stock level
   * {@code {"sku","available","reserved","sold","price"}}, or {@code {"items": [levels]}}. Fails with 404 for an unknown SKU.
   */
  public static final String STOCK = "inventory.stock";
  /** Saga step: {@code {items:[{sku, qty}]}} moves stock available -> reserved; reply {@code {amount}} (price total). Fails 422 out of stock. */
  public static final String RESERVE = "inventory.reserve";
  /** Compensation of {@link #RESERVE}: whatever this saga still holds reserved goes back to available. */
  public static final String RELEASE = "inventory.release";
  /** Saga step: the saga's reserved stock becomes sold. */
  public static final String CONFIRM = "inventory.confirm";
  /** Compensation of {@link #CONFIRM}: the saga's sold stock goes back to reserved (then release frees it). */
  public static final String RESTOCK = "inventory.restock";
  /** Outcome of {@code (sagaId, step)}: {@code {state: succeeded|failed|aborted, result?}}; fences a step never seen. */
  public static final String STATUS = "inventory.status";
  /** Fault injection for tests and drills. */
  public static final String FAULTS = "inventory.faults";

  private InventoryAddresses() {}
}
