package io.sagabus.dashboard;

import io.sagabus.platform.resilience.CircuitState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every node's circuit reports ({@code resilience.circuits}, one per node per second), turned into one row per
 * service with a cell per node: state, calls/s, failure rate, p99 and rejections.
 */
final class CircuitBoard {

  static final long STALE_MS = 10_000;

  private record NodeCircuits(String nodeName, long at, JsonArray circuits, Map<String, Long> callsBefore, long atBefore) {}

  private final Map<String, NodeCircuits> byNode = new HashMap<>();

  void onReport(JsonObject report, long now) {
    String nodeId = report.getString("nodeId");
    JsonArray circuits = report.getJsonArray("circuits");
    if (nodeId == null || circuits == null) {
      return;
    }
    NodeCircuits previous = byNode.get(nodeId);
    Map<String, Long> calls = new HashMap<>();
    long atBefore = 0;
    if (previous != null) {
      for (int i = 0; i < previous.circuits.size(); i++) {
        JsonObject circuit = previous.circuits.getJsonObject(i);
        calls.put(circuit.getString("target"), circuit.getLong("calls", 0L));
      }
      atBefore = previous.at;
    }
    byNode.put(nodeId, new NodeCircuits(report.getString("nodeName", nodeId), report.getLong("at", now), circuits, calls, atBefore));
  }

  /** {@code {service: {"state": worst, "nodes": {nodeId: {...}}}}}, services sorted by name. */
  JsonObject toJson(long now) {
    byNode.values().removeIf(node -> now - node.at > STALE_MS);
    Map<String, JsonObject> services = new TreeMap<>();
    byNode.forEach((nodeId, node) -> {
      double seconds = node.atBefore > 0 ? Math.max(0.001, (node.at - node.atBefore) / 1000.0) : 0;
      for (int i = 0; i < node.circuits.size(); i++) {
        JsonObject circuit = node.circuits.getJsonObject(i);
        String target = circuit.getString("target");
        if (target == null) {
          continue;
        }
        long calls = circuit.getLong("calls", 0L);
        Long before = node.callsBefore.get(target);
        Long intervalCalls = circuit.getLong("intervalCalls");
        double callsPerSec = seconds > 0 && before != null ? Math.max(0, calls - before) / seconds
            : intervalCalls != null ? intervalCalls : 0;
        JsonObject window = circuit.getJsonObject("window", new JsonObject());
        JsonObject cell = new JsonObject()
            .put("nodeName", node.nodeName)
            .put("state", circuit.getString("state", "CLOSED"))
            .put("callsPerSec", Math.round(callsPerSec * 10) / 10.0)
            .put("failureRate", window.getValue("failureRate", circuit.getValue("failureRate")))
            .put("p99Ms", circuit.getValue("p99Ms"))
            .put("rejections", circuit.getLong("bulkheadRejections", 0L) + circuit.getLong("shortCircuited", 0L))
            .put("calls", calls);
        JsonObject service = services.computeIfAbsent(target, ignored -> new JsonObject().put("state", "CLOSED").put("nodes", new JsonObject()));
        service.getJsonObject("nodes").put(nodeId, cell);
        service.put("state", CircuitState.worse(service.getString("state"), cell.getString("state")));
      }
    });
    JsonObject json = new JsonObject();
    services.forEach(json::put);
    return json;
  }
}
