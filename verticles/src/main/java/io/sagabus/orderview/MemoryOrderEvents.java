package io.sagabus.orderview;

import io.sagabus.platform.events.DomainEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Order event streams in memory, for a single node and tests; each append runs whole in one event-loop turn. Events
 * are kept as their encoded envelopes, a quarter of the heap of decoded ones, and decoded when a history is read.
 * An event's key is its order, so a redelivered event can only ever reach its own order's stream: that stream is
 * where duplicates are looked for.
 */
final class MemoryOrderEvents implements OrderEventStore {

  private record Recorded(String eventId, String envelope) {}

  private final Map<String, List<Recorded>> streams = new HashMap<>();

  @Override
  public Future<Void> start() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Map<String, Long>> versions(Collection<String> orderIds) {
    Map<String, Long> versions = new LinkedHashMap<>();
    orderIds.forEach(orderId -> versions.put(orderId, (long) streams.getOrDefault(orderId, List.of()).size()));
    return Future.succeededFuture(versions);
  }

  @Override
  public Future<List<Stored>> read(String orderId) {
    List<Recorded> stream = streams.getOrDefault(orderId, List.of());
    List<Stored> history = new ArrayList<>(stream.size());
    for (Recorded recorded : stream) {
      history.add(new Stored(history.size() + 1, DomainEvent.fromJson(new JsonObject(recorded.envelope()))));
    }
    return Future.succeededFuture(history);
  }

  @Override
  public Future<Map<String, Long>> append(List<Append> appends) {
    String repeated = OrderEventStore.repeatedOrder(appends);
    if (repeated != null) {
      return Future.failedFuture(OrderEventStore.repeated(repeated));
    }
    Map<String, Long> versions = new LinkedHashMap<>();
    for (Append append : appends) {
      List<Recorded> stream = streams.computeIfAbsent(append.orderId(), id -> new ArrayList<>());
      List<DomainEvent> fresh = new ArrayList<>();
      Set<String> batch = new HashSet<>();
      for (DomainEvent event : append.events()) {
        if (!recorded(stream, event.eventId()) && batch.add(event.eventId())) {
          fresh.add(event);
        }
      }
      if (!fresh.isEmpty() && stream.size() != append.expectedVersion()) {
        continue;
      }
      for (DomainEvent event : fresh) {
        stream.add(new Recorded(event.eventId(), event.toJson().encode()));
      }
      versions.put(append.orderId(), (long) stream.size());
    }
    return Future.succeededFuture(versions);
  }

  private static boolean recorded(List<Recorded> stream, String eventId) {
    for (Recorded recorded : stream) {
      if (recorded.eventId().equals(eventId)) {
        return true;
      }
    }
    return false;
  }
}
