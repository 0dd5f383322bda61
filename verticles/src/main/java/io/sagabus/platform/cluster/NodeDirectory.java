package io.sagabus.platform.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who is in the cluster and what each node runs: a cluster-wide map of node cards, joined with live membership so
 * that a crashed node shows as down until a survivor removes its card.
 */
public final class NodeDirectory {

  public static final String MAP_NAME = "sagabus.nodes";
  /** Published (the node id) once a card is written or dropped, so views of the cluster need not wait for a poll. */
  public static final String CHANGED = "sagabus.nodes.changed";

  private final Vertx vertx;
  private final ClusterView cluster;
  private final JsonObject self;

  public NodeDirectory(Vertx vertx, ClusterView cluster, String nodeName, List<String> roles, String httpUrl) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.self = new JsonObject()
        .put("id", cluster.nodeId())
        .put("name", nodeName)
        .put("roles", new JsonArray(List.copyOf(roles)))
        .put("http", httpUrl)
        .put("startedAt", Instant.now().toString());
  }

  public JsonObject self() {
    return self.copy();
  }

  public Future<Void> register() {
    return map().compose(map -> map.put(cluster.nodeId(), self)).onSuccess(ignored -> announce(cluster.nodeId()));
  }

  public Future<Void> unregister() {
    return map().compose(map -> map.remove(cluster.nodeId())).<Void>mapEmpty().onSuccess(ignored -> announce(cluster.nodeId()));
  }

  /**
   * Drops the card of a node that left. Every survivor does it, but the removal is atomic, so only the one that
   * actually removed the card announces the change: one refresh per departure, not one per survivor.
   */
  public Future<Void> forget(String nodeId) {
    return map().compose(map -> map.remove(nodeId)).map(removed -> {
      if (removed != null) {
        announce(nodeId);
      }
      return null;
    });
  }

  private void announce(String nodeId) {
    vertx.eventBus().publish(CHANGED, nodeId);
  }

  /** Every known node, each with {@code up} and {@code uptimeSeconds}; members without a card yet are listed too. */
  public Future<JsonArray> list() {
    Set<String> members = Set.copyOf(cluster.members());
    return map().compose(AsyncMap::entries).map(cards -> {
      JsonArray nodes = new JsonArray();
      Instant now = Instant.now();
      for (Map.Entry<String, JsonObject> entry : cards.entrySet()) {
        JsonObject card = entry.getValue().copy();
        boolean up = members.contains(entry.getKey());
        card.put("up", up);
        if (up) {
          Instant started = Instant.parse(card.getString("startedAt"));
          card.put("uptimeSeconds", Math.max(0, now.getEpochSecond() - started.getEpochSecond()));
        }
        nodes.add(card);
      }
      for (String member : members) {
        if (!cards.containsKey(member)) {
          nodes.add(new JsonObject().put("id", member).put("up", true).put("roles", new JsonArray()));
        }
      }
      return nodes;
    });
  }

  private Future<AsyncMap<String, JsonObject>> map() {
    return vertx.sharedData().getAsyncMap(MAP_NAME);
  }
}
