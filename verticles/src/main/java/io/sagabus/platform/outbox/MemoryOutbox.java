package io.sagabus.platform.outbox;

import io.sagabus.platform.events.DomainEvent;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The outbox of services that keep their state in memory: node-local, appended in the same event-loop turn as the
 * change, so a change and its events are lost or kept together. Leases are node-local. Pending events stay until a
 * relay on this node publishes them (the relay role runs on every node by default). Thread-safe.
 */
public final class MemoryOutbox implements Outbox {

  private final int partitions;
  private final List<ArrayDeque<OutboxEntry>> pending = new ArrayList<>();
  private final MemoryLease[] holders;
  private long nextId = 1;

  public MemoryOutbox(int partitions) {
    this.partitions = partitions;
    this.holders = new MemoryLease[partitions];
    for (int i = 0; i < partitions; i++) {
      pending.add(new ArrayDeque<>());
    }
  }

  /** Appends the events; call it in the same event-loop turn as the state change they describe. */
  public synchronized void append(List<DomainEvent> events) {
    for (DomainEvent event : events) {
      pending.get(Outbox.partitionOf(event.key(), partitions)).add(new OutboxEntry(nextId++, event));
    }
  }

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public int partitions() {
    return partitions;
  }

  @Override
  public Lease lease(int partition) {
    return new MemoryLease(partition);
  }

  @Override
  public synchronized Future<Backlog> backlog() {
    long count = 0;
    Instant oldest = null;
    for (ArrayDeque<OutboxEntry> queue : pending) {
      count += queue.size();
      OutboxEntry head = queue.peekFirst();
      if (head != null && (oldest == null || head.event().occurredAt().isBefore(oldest))) {
        oldest = head.event().occurredAt();
      }
    }
    long age = oldest == null ? 0 : Math.max(0, System.currentTimeMillis() - oldest.toEpochMilli());
    return Future.succeededFuture(new Backlog(count, age));
  }

  private final class MemoryLease implements Lease {
    private final int partition;

    MemoryLease(int partition) {
      this.partition = partition;
    }

    @Override
    public int partition() {
      return partition;
    }

    @Override
    public Future<Boolean> tryAcquire() {
      synchronized (MemoryOutbox.this) {
        if (holders[partition] == null) {
          holders[partition] = this;
        }
        return Future.succeededFuture(holders[partition] == this);
      }
    }

    @Override
    public Future<List<OutboxEntry>> next(int limit) {
      synchronized (MemoryOutbox.this) {
        if (holders[partition] != this) {
          return Future.failedFuture(new IllegalStateException("outbox partition " + partition + " is not held"));
        }
        return Future.succeededFuture(pending.get(partition).stream().limit(limit).toList());
      }
    }

    @Override
    public Future<Void> sent(List<OutboxEntry> entries) {
      Set<Long> ids = new HashSet<>();
      entries.forEach(entry -> ids.add(entry.id()));
      synchronized (MemoryOutbox.this) {
        // Only the holder removes, and what it sent is the head of the queue.
        ArrayDeque<OutboxEntry> queue = pending.get(partition);
        while (!queue.isEmpty() && ids.contains(queue.peekFirst().id())) {
          queue.pollFirst();
        }
      }
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> close() {
      synchronized (MemoryOutbox.this) {
        if (holders[partition] == this) {
          holders[partition] = null;
        }
      }
      return Future.succeededFuture();
    }
  }
}
