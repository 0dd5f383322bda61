package io.sagabus.platform.cluster;

import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Cluster membership as this node sees it. Vert.x allows one node listener per cluster manager, so this class
 * owns it and fans the events out to every service that needs them (crash recovery, the node directory, the
 * dashboard).
 */
public final class ClusterView {

  private final String nodeId;
  private final ClusterManager clusterManager;
  private final List<Consumer<String>> joinedListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<String>> leftListeners = new CopyOnWriteArrayList<>();

  private ClusterView(String nodeId, ClusterManager clusterManager) {
    this.nodeId = nodeId;
    this.clusterManager = clusterManager;
  }

  public static ClusterView standalone(String nodeId) {
    return new ClusterView(nodeId, null);
  }

  public static ClusterView clustered(ClusterManager clusterManager) {
    ClusterView view = new ClusterView(clusterManager.getNodeId(), clusterManager);
    clusterManager.nodeListener(new NodeListener() {
      @Override
      public void nodeAdded(String id) {
        view.joinedListeners.forEach(listener -> listener.accept(id));
      }

      @Override
      public void nodeLeft(String id) {
        view.leftListeners.forEach(listener -> listener.accept(id));
      }
    });
    return view;
  }

  public String nodeId() {
    return nodeId;
  }

  public boolean clustered() {
    return clusterManager != null;
  }

  /** Ids of the nodes that are members now, this one included. */
  public List<String> members() {
    return clusterManager == null ? List.of(nodeId) : List.copyOf(clusterManager.getNodes());
  }

  /** Called on a Hazelcast thread: hand real work to the event loop. */
  public void onMemberJoined(Consumer<String> listener) {
    joinedListeners.add(listener);
  }

  /** Called on a Hazelcast thread: hand real work to the event loop. */
  public void onMemberLeft(Consumer<String> listener) {
    leftListeners.add(listener);
  }
}
