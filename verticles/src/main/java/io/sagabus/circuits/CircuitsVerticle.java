package io.sagabus.circuits;

import io.sagabus.platform.NodeContext;
import io.sagabus.platform.resilience.CircuitState;
import io.sagabus.platform.resilience.contract.ResilienceAddresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cluster-wide circuit view: keeps the latest report of every node and answers {@code resilience.view}. A node
 * that left, or stopped reporting for {@link #STALE_AFTER_MS}, drops out of the view.
 */
public final class CircuitsVerticle extends VerticleBase {

  static final long STALE_AFTER_MS = 5_000;

  private final NodeContext node;
  private final Map<String, JsonObject> reports = new TreeMap<>();

  public CircuitsVerticle(NodeContext node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    node.cluster().onMemberLeft(nodeId -> context.runOnContext(ignored -> reports.remove(nodeId)));
    return Future.all(
        vertx.eventBus().<JsonObject>consumer(ResilienceAddresses.CIRCUITS, message -> {
          JsonObject report = message.body();
          if (report != null && report.getString("nodeId") != null) {
            reports.put(report.getString("nodeId"), report.put("receivedAt", System.currentTimeMillis()));
          }
        }).completion(),
        vertx.eventBus().<JsonObject>consumer(ResilienceAddresses.VIEW, message -> message.reply(view())).completion());
  }

  private JsonObject view() {
    long now = System.currentTimeMillis();
    reports.values().removeIf(report -> now - report.getLong("receivedAt") > STALE_AFTER_MS);
    Map<String, JsonObject> services = new TreeMap<>();
    JsonObject nodes = new JsonObject();
    reports.forEach((nodeId, report) -> {
      JsonArray circuits = report.getJsonArray("circuits", new JsonArray());
      nodes.put(nodeId, new JsonObject()
          .put("nodeName", report.getString("nodeName"))
          .put("at", report.getLong("at"))
          .put("circuits", circuits));
      for (int i = 0; i < circuits.size(); i++) {
        JsonObject circuit = circuits.getJsonObject(i);
        JsonObject service = services.computeIfAbsent(circuit.getString("target"),
            target -> new JsonObject().put("state", "CLOSED").put("nodes", new JsonObject()));
        service.getJsonObject("nodes").put(nodeId, circuit.copy().put("nodeName", report.getString("nodeName")));
        service.put("state", CircuitState.worse(service.getString("state"), circuit.getString("state")));
      }
    });
    JsonObject servicesJson = new JsonObject();
    services.forEach(servicesJson::put);
    return new JsonObject().put("services", servicesJson).put("nodes", nodes);
  }
}
