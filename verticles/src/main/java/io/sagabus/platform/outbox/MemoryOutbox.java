package io.sagabus.platform.outbox;

import io.sagabus.platform.events.DomainEvent;
import io.sagabus.platform.events.EncodedEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntConsumer;

/**
 * The outbox of services that keep their state in memory: node-local, appended in the same event-loop turn as the
 * change, so a change and its events are lost or kept together. Leases are node-local. Pending events stay until a
 * relay on this node publishes them (the relay role runs on every node by default). An append signals the node's
 * relays once the appending turn is over, so the events are never published inside the participant's turn.
 * Thread-safe.
 */
public final class MemoryOutbox implements Outbox {

  private final int partitions;
  private final List<ArrayDeque<Pending>> pending = new ArrayList<>();
  private final MemoryLease[] holders;
  private final List<IntConsumer> listeners = new CopyOnWriteArrayList<>();
  private long nextId = 1;

  public MemoryOutbox(int partitions) {
    this.partitions = partitions;
    this.holders = new MemoryLease[partitions];
    for (int i = 0; i < partitions; i++) {
      pending.add(new ArrayDeque<>());
    }
  }

  /** Appends the events; call it in the same event-loop turn as the state change they describe. */
  public void append(List<DomainEvent> events) {
    BitSet touched = new BitSet(partitions);
    synchronized (this) {
      for (DomainEvent event : events) {
        int partition = Outbox.partitionOf(event.key(), partitions);
        pending.get(partition).add(new Pending(new OutboxEntry(nextId++, EncodedEvent.of(event)), event.occurredAt().toEpochMilli()));
        touched.set(partition);
      }
    }
    if (touched.isEmpty() || listeners.isEmpty()) {
      return;
    }
    Runnable signal = () -> touched.stream().forEach(partition -> listeners.forEach(listener -> listener.accept(partition)));
    Context appending = Vertx.currentContext();
    if (appending != null) {
      appending.runOnContext(ignored -> signal.run());
    } else {
      signal.run();
    }
  }

  /** Signals in the appender's context, after its turn; the listener hands the work to its own context. */
  @Override
  public Future<Subscription> onAppended(IntConsumer appended) {
    listeners.add(appended);
    return Future.succeededFuture(() -> {
      listeners.remove(appended);
      return Future.succeededFuture();
    });
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
    long oldest = Long.MAX_VALUE;
    for (ArrayDeque<Pending> queue : pending) {
      count += queue.size();
      Pending head = queue.peekFirst();
      if (head != null) {
        oldest = Math.min(oldest, head.occurredAtMs);
      }
    }
    long age = count == 0 ? 0 : Math.max(0, System.currentTimeMillis() - oldest);
    return Future.succeededFuture(new Backlog(count, age));
  }

  private record Pending(OutboxEntry entry, long occurredAtMs) {}

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
        return Future.succeededFuture(pending.get(partition).stream().limit(limit).map(Pending::entry).toList());
      }
    }

    @Override
    public Future<Void> sent(List<OutboxEntry> entries) {
      Set<Long> ids = new HashSet<>();
      entries.forEach(entry -> ids.add(entry.id()));
      synchronized (MemoryOutbox.this) {
        // Only the holder removes, and what it sent is the head of the queue.
        ArrayDeque<Pending> queue = pending.get(partition);
        while (!queue.isEmpty() && ids.contains(queue.peekFirst().entry.id())) {
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
