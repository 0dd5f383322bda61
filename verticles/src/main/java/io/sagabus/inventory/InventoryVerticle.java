package io.sagabus.inventory;

import io.sagabus.inventory.contract.InventoryAddresses;
import io.sagabus.platform.NodeContext;
import io.sagabus.platform.backend.StoreChoice;
import io.sagabus.platform.config.ConfigException;
import io.sagabus.platform.config.ConfigReader;
import io.sagabus.platform.eventbus.FailureCodes;
import io.sagabus.platform.participant.Faults;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Owns stock per SKU: what is available, reserved by running sagas, and sold. A saga's reservation moves through
 * reserved -> sold (confirm), back with restock and release, so available + reserved + sold never changes.
 *
 * <p>Config section {@code inventory}: {@code seed} ({@code {SKU: stock}} or {@code {SKU: {stock, price}}}),
 * {@code store} (auto|memory|postgres; auto picks postgres when one is configured), {@code tablePrefix}, {@code faults}.
 */
public final class InventoryVerticle extends VerticleBase {

  static final long DEFAULT_PRICE = 100;

  private final NodeContext node;
  private final ConfigReader config;
  private InventoryBook book;

  public InventoryVerticle(NodeContext node) {
    this.node = node;
    this.config = node.config().section("inventory");
  }

  @Override
  public Future<?> start() {
    Faults faults = Faults.fromConfig(config.raw().getJsonObject("faults"));
    String prefix = config.string("tablePrefix", "sagabus_");
    book = StoreChoice.postgres(config, node.backends())
        ? new PostgresInventory(vertx, node.backends().postgres().orElseThrow(), prefix, faults, node.backends().outboxes().postgres(prefix))
        : new MemoryInventory(vertx, faults, node.backends().outboxes().memory());
    var bus = vertx.eventBus();
    return book.start(readSeed(config)).compose(ignored -> Future.all(List.of(
        bus.<JsonObject>consumer(InventoryAddresses.STOCK, this::stockLevel).completion(),
        bus.<JsonObject>consumer(InventoryAddresses.RESERVE, book::reserve).completion(),
        bus.<JsonObject>consumer(InventoryAddresses.RELEASE, book::release).completion(),
        bus.<JsonObject>consumer(InventoryAddresses.CONFIRM, book::confirm).completion(),
        bus.<JsonObject>consumer(InventoryAddresses.RESTOCK, book::restock).completion(),
        bus.<JsonObject>consumer(InventoryAddresses.STATUS, book::status).completion(),
        faults.listen(vertx, InventoryAddresses.FAULTS))));
  }

  private void stockLevel(Message<JsonObject> message) {
    JsonObject body = message.body() == null ? new JsonObject() : message.body();
    String sku = body.getString("sku");
    if (sku == null) {
      book.levels().onSuccess(levels -> message.reply(new JsonObject().put("items", levels)))
          .onFailure(failure -> message.fail(FailureCodes.UNAVAILABLE, failure.getMessage()));
      return;
    }
    book.level(sku).onSuccess(level -> {
      if (level == null) {
        message.fail(FailureCodes.NOT_FOUND, "unknown sku '" + sku + "'");
      } else {
        message.reply(level);
      }
    }).onFailure(failure -> message.fail(FailureCodes.UNAVAILABLE, failure.getMessage()));
  }

  private static List<InventoryBook.SeedSku> readSeed(ConfigReader config) {
    if (!config.has("seed")) {
      return List.of(new InventoryBook.SeedSku("SKU-APPLE", 1_000, DEFAULT_PRICE), new InventoryBook.SeedSku("SKU-BANANA", 1_000, 50),
          new InventoryBook.SeedSku("SKU-CHERRY", 100, 500));
    }
    ConfigReader seed = config.section("seed");
    return seed.raw().fieldNames().stream().map(sku -> {
      Object value = seed.raw().getValue(sku);
      if (value instanceof JsonObject) {
        ConfigReader item = seed.section(sku);
        return new InventoryBook.SeedSku(sku, item.longValue("stock", 0, 0, Long.MAX_VALUE), item.longValue("price", DEFAULT_PRICE, 0, Long.MAX_VALUE));
      }
      if (value instanceof Number) {
        return new InventoryBook.SeedSku(sku, seed.longValue(sku, 0, 0, Long.MAX_VALUE), DEFAULT_PRICE);
      }
      throw new ConfigException(seed.key(sku), "must be a stock count or {stock, price}");
    }).toList();
  }
}
