package io.sagabus.platform.resilience.contract;

/** Event-bus addresses of the resilience stack. Bodies are JSON objects. */
public final class ResilienceAddresses {

  /**
   * Published by every node every second (local setting {@code resilience.publishIntervalMs}):
   * {@code {"nodeId","nodeName","at": epoch ms,"circuits": [circuit]}}. A circuit is
   * {@code {"target","state": CLOSED|OPEN|HALF_OPEN,"calls","failures","slowCalls","bulkheadRejections",
   * "shortCircuited","retries","failureRate","outcomes":{..},"window":{"calls","failures","slowCalls","failureRate",
   * "slowCallRate"},"inFlight","queued","intervalCalls","p50Ms","p99Ms"}}; counts are totals since the node started,
   * rates are percentages over the circuit's sliding window (-1 below its minimum number of calls), and the
   * latency percentiles cover the last interval (null when it had no calls).
   */
  public static final String CIRCUITS = "resilience.circuits";

  /**
   * The cluster-wide view, answered by the {@code circuits} service. Request {@code {}}. Reply
   * {@code {"services": {target: {"state": worst state, "nodes": {nodeId: circuit}}}, "nodes": {nodeId:
   * {"nodeName","at","circuits":[circuit]}}}}.
   */
  public static final String VIEW = "resilience.view";

  /** Request {@code {}}. Reply {@code {"source": section as set, "effective": {"defaults","targets"}}}. */
  public static final String CONFIG_GET = "resilience.config.get";

  /**
   * Replaces the {@code resilience} section cluster-wide, without a restart. Request: the section
   * {@code {"defaults": {...}, "targets": {name: {...}}}}. Reply as {@link #CONFIG_GET}. Fails 400 naming the bad key.
   */
  public static final String CONFIG_SET = "resilience.config.set";

  /** Published after a change: the section. Every node applies it. */
  public static final String CONFIG_CHANGED = "resilience.config.changed";

  /** Cluster map holding the section set at runtime, so nodes that start later use it too. */
  public static final String CONFIG_MAP = "sagabus.resilience";

  private ResilienceAddresses() {}
}
