package io.sagabus.shipping;

import io.sagabus.platform.config.ConfigReader;
import io.sagabus.platform.participant.Faults;
import io.sagabus.platform.participant.StepLedger;
import io.sagabus.platform.participant.StepRejected;
import io.sagabus.shipping.contract.ShippingAddresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/** Owns shipments. The carrier does not serve some countries ({@code undeliverableCountries}), so those orders are refused. */
public final class ShippingVerticle extends VerticleBase {

  private final ConfigReader config;
  private final Map<String, JsonObject> shipments = new HashMap<>();
  private Set<String> undeliverable;
  private StepLedger ledger;

  public ShippingVerticle(ConfigReader shippingConfig) {
    this.config = shippingConfig;
  }

  @Override
  public Future<?> start() {
    undeliverable = config.stringList("undeliverableCountries", List.of("AQ", "XX")).stream()
        .map(country -> country.toUpperCase(Locale.ROOT)).collect(Collectors.toSet());
    Faults faults = Faults.fromConfig(config.raw().getJsonObject("faults"));
    ledger = new StepLedger(vertx, faults);
    var bus = vertx.eventBus();
    return Future.all(List.of(
        bus.<JsonObject>consumer(ShippingAddresses.CREATE, m -> ledger.invoke(m, "create", this::create)).completion(),
        bus.<JsonObject>consumer(ShippingAddresses.CANCEL, m -> ledger.compensate(m, "cancel", this::cancel)).completion(),
        bus.<JsonObject>consumer(ShippingAddresses.STATUS, ledger::status).completion(),
        faults.listen(vertx, ShippingAddresses.FAULTS)));
  }

  private Future<JsonObject> create(JsonObject command) {
    JsonObject address = command.getJsonObject("shippingAddress");
    if (address == null || address.getString("country") == null) {
      throw StepRejected.rejected("undeliverable: no shipping address");
    }
    String country = address.getString("country").toUpperCase(Locale.ROOT);
    if (undeliverable.contains(country)) {
      throw StepRejected.rejected("undeliverable: the carrier does not serve country " + country);
    }
    String shipmentId = "sh-" + UUID.randomUUID();
    shipments.put(shipmentId, new JsonObject().put("shipmentId", shipmentId).put("orderId", command.getString("orderId"))
        .put("address", address.copy()).put("status", "CREATED"));
    return Future.succeededFuture(new JsonObject().put("shipmentId", shipmentId));
  }

  private Future<JsonObject> cancel(JsonObject command, JsonObject created) {
    JsonObject shipment = shipments.get(created.getString("shipmentId"));
    if (shipment != null) {
      shipment.put("status", "CANCELLED");
    }
    return Future.succeededFuture(new JsonObject().put("shipmentStatus", "CANCELLED"));
  }
}
