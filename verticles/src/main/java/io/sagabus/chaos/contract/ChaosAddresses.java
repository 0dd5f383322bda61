package io.sagabus.chaos.contract;

/**
 * Event-bus addresses of fault injection. A fault applies to every message whose address starts with
 * {@code <service>.}, on every node. Bodies are JSON objects.
 *
 * <p>A fault: {@code {"service": "payment", "failureRate": 0..1, "failureCode": 400..599 (default 500),
 * "latencyMs": n | {"min": n, "max": n}, "noReplyRate": 0..1, "partitionNode": nodeId or nodeName}}; at least one
 * of failureRate, latencyMs, noReplyRate, partitionNode. Failures and no-replies hit requests only (messages with a
 * reply address); latency and partitions hit every message. A partition drops the service's messages that cross
 * the boundary of the named node, in both directions. The control plane ({@code chaos}, {@code resilience}) cannot be
 * targeted.
 */
public final class ChaosAddresses {

  /** Sets (replaces) the fault of one service cluster-wide. Request: a fault. Reply {@code {"faults": [fault]}}. Fails 400. */
  public static final String SET = "chaos.set";

  /** Clears one service's fault ({@code {"service": "payment"}}) or all ({@code {}}). Reply {@code {"faults": [...]}}. */
  public static final String CLEAR = "chaos.clear";

  /** Request {@code {}}. Reply {@code {"faults": [fault]}}, the faults in force cluster-wide. */
  public static final String SHOW = "chaos.show";

  /** Published after every change with {@code {"faults": [fault]}}; every node applies it. */
  public static final String CHANGED = "chaos.changed";

  /** Cluster map of service to fault, so nodes that start later inject the same faults. */
  public static final String MAP = "sagabus.chaos";

  private ChaosAddresses() {}
}
