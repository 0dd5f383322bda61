package io.sagabus.orderview;

import io.sagabus.orderview.contract.ViewCursor;
import io.sagabus.platform.events.DomainEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Order views in the verticle's memory, for a single node, tests and demos. Every operation runs whole in one
 * event-loop turn, so the inbox check and the view update can never be split by another event.
 */
final class MemoryOrderViews implements OrderViewStore {

  private static final class Generation {
    final Map<String, JsonObject> views = new HashMap<>();
    final Set<String> inbox = new HashSet<>();
  }

  private final Map<Integer, Generation> generations = new HashMap<>();
  private int active;
  private int newest;

  @Override
  public Future<Void> start() {
    if (generations.isEmpty()) {
      generations.put(1, new Generation());
      active = 1;
      newest = 1;
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Integer> activeGeneration() {
    return Future.succeededFuture(active);
  }

  @Override
  public Future<Integer> createGeneration() {
    newest++;
    generations.put(newest, new Generation());
    return Future.succeededFuture(newest);
  }

  @Override
  public Future<Set<String>> applyBatch(int generation, List<DomainEvent> events) {
    Generation target = generations.get(generation);
    if (target == null) {
      return Future.failedFuture(new IllegalStateException("no order-view generation " + generation));
    }
    Set<String> applied = new HashSet<>();
    List<DomainEvent> fresh = events.stream()
        .filter(event -> !target.inbox.contains(event.eventId()) && applied.add(event.eventId())).toList();
    Map<String, JsonObject> folded;
    try {
      folded = OrderFold.applyAll(target.views::get, fresh);
    } catch (RuntimeException e) {
      // Nothing is written until the whole batch folded: a failed batch leaves no trace.
      return Future.failedFuture(e);
    }
    target.inbox.addAll(applied);
    target.views.putAll(folded);
    return Future.succeededFuture(applied);
  }

  @Override
  public Future<Long> appliedCount(int generation) {
    Generation target = generations.get(generation);
    return Future.succeededFuture(target == null ? 0L : target.inbox.size());
  }

  @Override
  public Future<Void> activate(int generation) {
    if (!generations.containsKey(generation)) {
      return Future.failedFuture(new IllegalStateException("no order-view generation " + generation));
    }
    active = generation;
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> drop(int generation) {
    if (generation == active) {
      return Future.failedFuture(new IllegalStateException("generation " + generation + " is active"));
    }
    generations.remove(generation);
    return Future.succeededFuture();
  }

  @Override
  public Future<JsonObject> get(String orderId) {
    JsonObject view = generations.get(active).views.get(orderId);
    return Future.succeededFuture(view == null ? null : view.copy());
  }

  @Override
  public Future<Page> query(ViewQuery query) {
    List<JsonObject> matching = new ArrayList<>();
    for (JsonObject view : generations.get(active).views.values()) {
      if ((query.customerId() == null || query.customerId().equals(view.getString("customerId")))
          && (query.status() == null || query.status().equals(view.getString("status")))
          && (query.after() == null || query.after().precedes(view))) {
        matching.add(view);
      }
    }
    matching.sort(ViewCursor.ORDER);
    List<JsonObject> items = new ArrayList<>();
    for (JsonObject view : matching.subList(0, Math.min(query.limit(), matching.size()))) {
      items.add(view.copy());
    }
    ViewCursor next = matching.size() > query.limit() ? ViewCursor.of(items.get(items.size() - 1)) : null;
    return Future.succeededFuture(new Page(items, next));
  }
}
