package io.sagabus.platform.events;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The event log of a node without Kafka: node-local and in memory, with Kafka's consumer semantics so the event flow
 * works the same under {@code java -jar}. Each topic has {@link EventLogSettings#partitions()} partitions chosen by
 * the key's hash; a consumer group keeps one position per partition, which outlives its subscriptions; the group's
 * subscriptions to a topic share its partitions; a partition delivers one event at a time (a batch subscription: its
 * pending run, up to {@link #MAX_BATCH} events), in order, and redelivers after a back-off when the handler fails.
 *
 * <p>Retention: each partition keeps its newest {@link EventLogSettings#retainPerPartition()} events and drops older
 * ones, so memory stays bounded (16 topics x 6 partitions x 2,000 events by default). A group lagging further behind
 * than that skips what was dropped, as a Kafka consumer does past the topic's retention. Lost on restart.
 *
 * <p>Events are held as their encoded envelopes, as Kafka holds them, and each delivery decodes its own copy: a
 * consumer cannot change what another one sees, and the log's retained events cost a quarter of the heap of decoded
 * ones. An envelope that cannot be read is skipped with a warning, as the Kafka adapter does.
 *
 * <p>Thread-safe: verticles on any event loop publish and subscribe; handlers run on the subscriber's context.
 */
public final class EmbeddedEventLog implements EventLog {

  private final Vertx vertx;
  private final EventLogSettings settings;
  private final Map<String, Partition[]> topics = new HashMap<>();
  private final Map<String, Group> groups = new HashMap<>();
  private boolean closed;

  public EmbeddedEventLog(Vertx vertx, EventLogSettings settings) {
    this.vertx = vertx;
    this.settings = settings;
  }

  @Override
  public Future<Void> publish(List<DomainEvent> events) {
    return publishEncoded(events.stream().map(EncodedEvent::of).toList());
  }

  @Override
  public Future<Void> publishEncoded(List<EncodedEvent> events) {
    Set<Cursor> woken = new LinkedHashSet<>();
    synchronized (this) {
      if (closed) {
        return Future.failedFuture(new IllegalStateException("the event log is closed"));
      }
      for (EncodedEvent event : events) {
        int partition = Math.floorMod(event.key().hashCode(), settings.partitions());
        partitions(event.type())[partition].append(event, settings.retainPerPartition());
        for (Group group : groups.values()) {
          Cursor cursor = group.cursors.get(new Slot(event.type(), partition));
          if (cursor != null) {
            woken.add(cursor);
          }
        }
      }
    }
    woken.forEach(this::pump);
    return Future.succeededFuture();
  }

  @Override
  public Future<Subscription> subscribe(String groupName, Collection<String> topicNames, StartFrom startFrom,
      Function<DomainEvent, Future<Void>> handler) {
    return join(groupName, topicNames, startFrom, 1, events -> handler.apply(events.get(0)));
  }

  @Override
  public Future<Subscription> subscribeBatch(String groupName, Collection<String> topicNames, StartFrom startFrom,
      Function<List<DomainEvent>, Future<Void>> handler) {
    return join(groupName, topicNames, startFrom, MAX_BATCH, handler);
  }

  /** A new member of the group, handed runs of up to {@code batchLimit} events of one partition at a time. */
  private Future<Subscription> join(String groupName, Collection<String> topicNames, StartFrom startFrom, int batchLimit,
      Function<List<DomainEvent>, Future<Void>> handler) {
    Member member;
    List<Cursor> cursors;
    synchronized (this) {
      if (closed) {
        return Future.failedFuture(new IllegalStateException("the event log is closed"));
      }
      Group group = groups.computeIfAbsent(groupName, name -> new Group());
      member = new Member(group, Set.copyOf(topicNames), batchLimit, handler, vertx.getOrCreateContext());
      for (String topic : member.topics) {
        Partition[] partitions = partitions(topic);
        for (int p = 0; p < partitions.length; p++) {
          Partition partition = partitions[p];
          group.cursors.computeIfAbsent(new Slot(topic, p),
              slot -> new Cursor(group, slot, startFrom == StartFrom.EARLIEST ? partition.start : partition.end()));
        }
      }
      group.add(member);
      cursors = List.copyOf(group.cursors.values());
    }
    cursors.forEach(this::pump);
    return Future.succeededFuture(member);
  }

  @Override
  public Future<Void> close() {
    synchronized (this) {
      closed = true;
    }
    return Future.succeededFuture();
  }

  private Partition[] partitions(String topic) {
    return topics.computeIfAbsent(topic, name -> {
      Partition[] created = new Partition[settings.partitions()];
      for (int i = 0; i < created.length; i++) {
        created[i] = new Partition();
      }
      return created;
    });
  }

  /**
   * Hands the cursor's next events (up to the owner's batch limit) to the member owning its partition, unless some are
   * in hand or waiting to retry.
   */
  private void pump(Cursor cursor) {
    List<EncodedEvent> events;
    Member owner;
    long offset;
    synchronized (this) {
      if (closed || cursor.inHand || cursor.retryPending) {
        return;
      }
      Partition partition = topics.get(cursor.slot.topic)[cursor.slot.partition];
      cursor.offset = Math.max(cursor.offset, partition.start);
      owner = cursor.group.owner(cursor.slot);
      if (owner == null || cursor.offset >= partition.end()) {
        return;
      }
      offset = cursor.offset;
      events = partition.range(offset, Math.min(partition.end(), offset + owner.batchLimit));
      cursor.inHand = true;
    }
    owner.context.runOnContext(ignored -> {
      List<DomainEvent> readable = readable(events, cursor.slot, offset);
      Future<Void> handled = readable.isEmpty() ? Future.succeededFuture() : Handlers.call(owner.handler, readable);
      handled.onComplete(done -> settle(cursor, offset, events.size(), done.succeeded()));
    });
  }

  /** The events decoded for one delivery; an unreadable one is skipped. */
  private static List<DomainEvent> readable(List<EncodedEvent> events, Slot slot, long firstOffset) {
    List<DomainEvent> decoded = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      DomainEvent event = Handlers.readOrSkip(events.get(i).envelope(), slot.topic, slot.partition, firstOffset + i);
      if (event != null) {
        decoded.add(event);
      }
    }
    return decoded;
  }

  private void settle(Cursor cursor, long offset, int handed, boolean succeeded) {
    long retryInMs = 0;
    synchronized (this) {
      cursor.inHand = false;
      if (succeeded) {
        if (cursor.offset == offset) {
          cursor.offset += handed;
        }
        cursor.failures = 0;
      } else {
        cursor.failures++;
        cursor.retryPending = true;
        retryInMs = RetryBackoff.delayMs(cursor.failures);
      }
    }
    if (succeeded) {
      pump(cursor);
    } else {
      vertx.setTimer(retryInMs, id -> {
        synchronized (this) {
          cursor.retryPending = false;
        }
        pump(cursor);
      });
    }
  }

  private record Slot(String topic, int partition) {}

  /** One partition's retained events; offsets keep counting across what retention dropped. */
  private static final class Partition {
    private final List<EncodedEvent> events = new ArrayList<>();
    private long start;

    long end() {
      return start + events.size();
    }

    /** A copy of the events from offset {@code from} up to {@code to}, exclusive. */
    List<EncodedEvent> range(long from, long to) {
      return List.copyOf(events.subList((int) (from - start), (int) (to - start)));
    }

    void append(EncodedEvent event, int retain) {
      events.add(event);
      // Trimming in chunks of a quarter keeps appends amortised O(1).
      if (events.size() > retain + retain / 4) {
        int drop = events.size() - retain;
        events.subList(0, drop).clear();
        start += drop;
      }
    }
  }

  private static final class Group {
    final List<Member> members = new ArrayList<>();
    final Map<Slot, Cursor> cursors = new HashMap<>();
    /** The members subscribed to each topic, worked out once per membership change rather than once per delivery. */
    private final Map<String, List<Member>> membersByTopic = new HashMap<>();

    void add(Member member) {
      members.add(member);
      membersByTopic.clear();
    }

    boolean remove(Member member) {
      membersByTopic.clear();
      return members.remove(member);
    }

    /** Partitions are dealt round-robin over the members subscribed to their topic, in the order they joined. */
    Member owner(Slot slot) {
      List<Member> eligible = membersByTopic.computeIfAbsent(slot.topic,
          topic -> members.stream().filter(member -> member.topics.contains(topic)).toList());
      return eligible.isEmpty() ? null : eligible.get(slot.partition % eligible.size());
    }
  }

  /** A group's position in one partition. */
  private static final class Cursor {
    final Group group;
    final Slot slot;
    long offset;
    boolean inHand;
    boolean retryPending;
    int failures;

    Cursor(Group group, Slot slot, long offset) {
      this.group = group;
      this.slot = slot;
      this.offset = offset;
    }
  }

  private final class Member implements Subscription {
    final Group group;
    final Set<String> topics;
    final int batchLimit;
    final Function<List<DomainEvent>, Future<Void>> handler;
    final Context context;

    Member(Group group, Set<String> topics, int batchLimit, Function<List<DomainEvent>, Future<Void>> handler, Context context) {
      this.group = group;
      this.topics = topics;
      this.batchLimit = batchLimit;
      this.handler = handler;
      this.context = context;
    }

    @Override
    public Future<Void> close() {
      List<Cursor> cursors;
      synchronized (EmbeddedEventLog.this) {
        if (!group.remove(this)) {
          return Future.succeededFuture();
        }
        cursors = List.copyOf(group.cursors.values());
      }
      cursors.forEach(EmbeddedEventLog.this::pump);
      return Future.succeededFuture();
    }
  }
}
