package io.sagabus.orderview;

import io.sagabus.orderview.contract.ViewCursor;
import io.sagabus.platform.events.DomainEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Order views in the verticle's memory, for a single node, tests and demos. Every operation runs whole in one
 * event-loop turn, so the inbox check and the view update can never be split by another event.
 *
 * <p>A view is kept as its JSON text beside the few fields a query filters and sorts on, and the inbox is kept per
 * order: a tree of maps costs about four times its text and this store lives on the heap, where every retained byte
 * is copied by the young collections of a busy node. An event's key is its order, so an order's own inbox is enough
 * to spot a redelivery.
 */
final class MemoryOrderViews implements OrderViewStore {

  private static final String[] NO_EVENTS = new String[0];

  /** One order's view: what a query needs without decoding, the document, and the ids of the events folded in. */
  private record StoredView(ViewCursor position, String customerId, String status, String document, String[] eventIds) {

    static StoredView of(JsonObject view, String[] eventIds) {
      return new StoredView(ViewCursor.of(view), view.getString("customerId"), view.getString("status"), view.encode(), eventIds);
    }

    JsonObject decode() {
      return new JsonObject(document);
    }

    boolean folded(String eventId) {
      for (String id : eventIds) {
        if (id.equals(eventId)) {
          return true;
        }
      }
      return false;
    }
  }

  private static final class Generation {
    final Map<String, StoredView> views = new HashMap<>();
    long applied;

    boolean folded(DomainEvent event) {
      StoredView view = views.get(event.key());
      return view != null && view.folded(event.eventId());
    }
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
        .filter(event -> !target.folded(event) && applied.add(event.eventId())).toList();
    Map<String, JsonObject> folded;
    try {
      folded = OrderFold.applyAll(orderId -> {
        StoredView view = target.views.get(orderId);
        return view == null ? null : view.decode();
      }, fresh);
    } catch (RuntimeException e) {
      // Nothing is written until the whole batch folded: a failed batch leaves no trace.
      return Future.failedFuture(e);
    }
    Map<String, List<String>> freshIds = new HashMap<>();
    fresh.forEach(event -> freshIds.computeIfAbsent(event.key(), orderId -> new ArrayList<>()).add(event.eventId()));
    folded.forEach((orderId, view) -> {
      StoredView before = target.views.get(orderId);
      String[] known = before == null ? NO_EVENTS : before.eventIds();
      String[] eventIds = Stream.concat(Arrays.stream(known), freshIds.get(orderId).stream()).toArray(String[]::new);
      target.views.put(orderId, StoredView.of(view, eventIds));
    });
    target.applied += applied.size();
    return Future.succeededFuture(applied);
  }

  @Override
  public Future<Long> appliedCount(int generation) {
    Generation target = generations.get(generation);
    return Future.succeededFuture(target == null ? 0L : target.applied);
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
    StoredView view = generations.get(active).views.get(orderId);
    return Future.succeededFuture(view == null ? null : view.decode());
  }

  @Override
  public Future<Page> query(ViewQuery query) {
    List<StoredView> matching = new ArrayList<>();
    for (StoredView view : generations.get(active).views.values()) {
      if ((query.customerId() == null || query.customerId().equals(view.customerId()))
          && (query.status() == null || query.status().equals(view.status()))
          && (query.after() == null || query.after().precedes(view.position()))) {
        matching.add(view);
      }
    }
    matching.sort(Comparator.comparing(StoredView::position, ViewCursor.NEWEST_FIRST));
    List<StoredView> page = matching.subList(0, Math.min(query.limit(), matching.size()));
    List<JsonObject> items = new ArrayList<>(page.stream().map(StoredView::decode).toList());
    ViewCursor next = matching.size() > query.limit() ? page.get(page.size() - 1).position() : null;
    return Future.succeededFuture(new Page(items, next));
  }
}
