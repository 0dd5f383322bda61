package io.sagabus.shipping;

import io.sagabus.platform.NodeContext;
import io.sagabus.platform.backend.StoreChoice;
import io.sagabus.platform.config.ConfigReader;
import io.sagabus.platform.participant.Faults;
import io.sagabus.shipping.contract.ShippingAddresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Owns shipments. The carrier does not serve some countries ({@code undeliverableCountries}), so those orders are
 * refused. Config section {@code shipping}: {@code undeliverableCountries}, {@code store} (auto|memory|postgres),
 * {@code tablePrefix}, {@code faults}.
 */
public final class ShippingVerticle extends VerticleBase {

  private final NodeContext node;
  private final ConfigReader config;
  private Set<String> undeliverable;

  public ShippingVerticle(NodeContext node) {
    this.node = node;
    this.config = node.config().section("shipping");
  }

  @Override
  public Future<?> start() {
    undeliverable = config.stringList("undeliverableCountries", List.of("AQ", "XX")).stream()
        .map(country -> country.toUpperCase(Locale.ROOT)).collect(Collectors.toSet());
    Faults faults = Faults.fromConfig(config.raw().getJsonObject("faults"));
    String prefix = config.string("tablePrefix", "sagabus_");
    ShippingBook book = StoreChoice.postgres(config, node.backends())
        ? new PostgresShipping(vertx, node.backends().postgres().orElseThrow(), prefix, faults, node.backends().outboxes().postgres(prefix))
        : new MemoryShipping(vertx, faults, node.backends().outboxes().memory());
    var bus = vertx.eventBus();
    return book.start().compose(ignored -> Future.all(List.of(
        bus.<JsonObject>consumer(ShippingAddresses.CREATE, message -> book.create(message, this::refusal)).completion(),
        bus.<JsonObject>consumer(ShippingAddresses.CANCEL, book::cancel).completion(),
        bus.<JsonObject>consumer(ShippingAddresses.STATUS, book::status).completion(),
        faults.listen(vertx, ShippingAddresses.FAULTS))));
  }

  /** Why the address is undeliverable, or null when the carrier serves it. */
  private String refusal(JsonObject address) {
    if (address == null || address.getString("country") == null) {
      return "undeliverable: no shipping address";
    }
    String country = address.getString("country").toUpperCase(Locale.ROOT);
    return undeliverable.contains(country) ? "undeliverable: the carrier does not serve country " + country : null;
  }
}
