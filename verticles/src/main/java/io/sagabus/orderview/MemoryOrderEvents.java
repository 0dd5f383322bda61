package io.sagabus.orderview;

import io.sagabus.platform.events.DomainEvent;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Order event streams in memory, for a single node and tests; each append runs whole in one event-loop turn. */
final class MemoryOrderEvents implements OrderEventStore {

  private final Map<String, List<Stored>> streams = new HashMap<>();
  private final Set<String> eventIds = new HashSet<>();

  @Override
  public Future<Void> start() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Long> version(String orderId) {
    return Future.succeededFuture((long) streams.getOrDefault(orderId, List.of()).size());
  }

  @Override
  public Future<List<Stored>> read(String orderId) {
    return Future.succeededFuture(List.copyOf(streams.getOrDefault(orderId, List.of())));
  }

  @Override
  public Future<Long> append(String orderId, long expectedVersion, List<DomainEvent> events) {
    List<Stored> stream = streams.computeIfAbsent(orderId, id -> new ArrayList<>());
    List<DomainEvent> fresh = new ArrayList<>();
    Set<String> batch = new HashSet<>();
    for (DomainEvent event : events) {
      if (!eventIds.contains(event.eventId()) && batch.add(event.eventId())) {
        fresh.add(event);
      }
    }
    if (fresh.isEmpty()) {
      return Future.succeededFuture((long) stream.size());
    }
    if (stream.size() != expectedVersion) {
      return Future.failedFuture(new VersionConflict(orderId, expectedVersion, String.valueOf(stream.size())));
    }
    for (DomainEvent event : fresh) {
      stream.add(new Stored(stream.size() + 1, event));
      eventIds.add(event.eventId());
    }
    return Future.succeededFuture((long) stream.size());
  }
}
