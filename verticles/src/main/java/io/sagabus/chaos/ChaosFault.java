package io.sagabus.chaos;

import io.sagabus.platform.config.ConfigException;
import io.sagabus.platform.config.ConfigReader;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/** The faults injected into one service's messages. */
record ChaosFault(String service, double failureRate, int failureCode, long latencyMinMs, long latencyMaxMs, double noReplyRate, String partitionNode) {

  static final long MAX_LATENCY_MS = 60_000;
  /** Address prefixes chaos never touches: its own control and the resilience settings and reports. */
  static final Set<String> CONTROL_PLANE = Set.of("chaos", "resilience");

  /** Validates a fault; a bad field throws a ConfigException naming it. */
  static ChaosFault parse(JsonObject json) {
    ConfigReader reader = ConfigReader.root(json);
    String service = reader.requiredString("service");
    if (!service.matches("[a-z][a-z0-9-]*")) {
      throw new ConfigException("service", "must be a lower-case service name, got '" + service + "'");
    }
    if (CONTROL_PLANE.contains(service)) {
      throw new ConfigException("service", "'" + service + "' is control plane; faults there would lock operators out");
    }
    long latencyMin = 0;
    long latencyMax = 0;
    Object latency = json.getValue("latencyMs");
    if (latency instanceof JsonObject) {
      ConfigReader range = reader.section("latencyMs");
      latencyMin = range.longValue("min", 0, 0, MAX_LATENCY_MS);
      latencyMax = range.longValue("max", latencyMin, 0, MAX_LATENCY_MS);
      if (latencyMax < latencyMin) {
        throw new ConfigException(range.key("max"), "must not be below min (" + latencyMin + ")");
      }
    } else if (latency != null) {
      latencyMin = reader.longValue("latencyMs", 0, 0, MAX_LATENCY_MS);
      latencyMax = latencyMin;
    }
    ChaosFault fault = new ChaosFault(
        service,
        reader.decimal("failureRate", 0, 0, 1),
        reader.integer("failureCode", 500, 400, 599),
        latencyMin,
        latencyMax,
        reader.decimal("noReplyRate", 0, 0, 1),
        reader.string("partitionNode", null));
    if (fault.failureRate() == 0 && fault.latencyMaxMs() == 0 && fault.noReplyRate() == 0 && fault.partitionNode() == null) {
      throw new ConfigException("service", "names no fault: set failureRate, latencyMs, noReplyRate or partitionNode");
    }
    return fault;
  }

  boolean partitions() {
    return partitionNode != null;
  }

  JsonObject toJson() {
    JsonObject json = new JsonObject().put("service", service);
    if (failureRate > 0) {
      json.put("failureRate", failureRate).put("failureCode", failureCode);
    }
    if (latencyMaxMs > 0) {
      json.put("latencyMs", latencyMinMs == latencyMaxMs ? (Object) latencyMinMs : new JsonObject().put("min", latencyMinMs).put("max", latencyMaxMs));
    }
    if (noReplyRate > 0) {
      json.put("noReplyRate", noReplyRate);
    }
    if (partitionNode != null) {
      json.put("partitionNode", partitionNode);
    }
    return json;
  }
}
