package io.sagabus.platform;

import io.micrometer.core.instrument.MeterRegistry;
import io.sagabus.platform.backend.Backends;
import io.sagabus.platform.cluster.ClusterView;
import io.sagabus.platform.cluster.NodeDirectory;
import io.sagabus.platform.config.NodeConfig;

/** What every verticle on a node shares: its identity, config, backends and metrics. */
public record NodeContext(NodeConfig config, ClusterView cluster, NodeDirectory directory, Backends backends, MeterRegistry metrics) {

  public String nodeId() {
    return cluster.nodeId();
  }
}
