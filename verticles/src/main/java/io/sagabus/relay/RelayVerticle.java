package io.sagabus.relay;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sagabus.platform.NodeContext;
import io.sagabus.platform.backend.StoreChoice;
import io.sagabus.platform.config.ConfigReader;
import io.sagabus.platform.events.EventLog;
import io.sagabus.platform.eventbus.FailureCodes;
import io.sagabus.platform.outbox.Outbox;
import io.sagabus.platform.outbox.OutboxEntry;
import io.sagabus.platform.outbox.PgOutbox;
import io.sagabus.relay.contract.RelayAddresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes what the participants wrote to their outboxes. Each outbox partition has its own loop: take the
 * partition's lease (one relay per partition across the cluster), read its oldest entries in id order, publish them
 * with one {@link EventLog#publish} and forget them once the log has them all. A failure (the log is away, the
 * database connection dropped) leaves the entries where they are and tries again after a back-off, so an outage
 * only grows the backlog, and the retry republishes from the same first entry: nothing is lost and a key's events
 * stay in order, with duplicates possible (consumers dedupe by eventId).
 *
 * <p>An append wakes the partition's loop ({@link Outbox#onAppended}); a wake during a round makes another round
 * follow at once, so under load each round takes what accumulated meanwhile. Relays on every node may be woken, but
 * only the lease holder reads. {@code relay.pollMs} is only the safety net for a lost wake.
 *
 * <p>The outboxes are the node's memory outbox and the {@code <tablePrefix>event_outbox} table of every participant
 * service configured on PostgreSQL. Metrics: {@code sagabus_outbox_backlog}, {@code sagabus_outbox_published_total},
 * {@code sagabus_outbox_partitions_held}, and for a table {@code sagabus_outbox_vacuum}, each tagged by outbox.
 */
public final class RelayVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(RelayVerticle.class);
  private static final List<String> PARTICIPANTS = List.of("order", "inventory", "payment", "shipping");
  private static final long MIN_BACKOFF_MS = 100;
  private static final long MAX_BACKOFF_MS = 5_000;

  private final Supplier<List<Outbox>> outboxSource;
  private final EventLog events;
  private final RelaySettings settings;
  private final MeterRegistry registry;
  private final String nodeId;
  private final List<PartitionLoop> loops = new ArrayList<>();
  private final List<Sampled> sampled = new ArrayList<>();
  private final List<Outbox.Subscription> wakeUps = new ArrayList<>();
  private long sampleTimer = -1;

  public RelayVerticle(NodeContext node) {
    this(() -> outboxesOf(node), node.backends().events(), RelaySettings.from(node.config().section("relay")), node.metrics(), node.nodeId());
  }

  /** A relay of the given outboxes, for tests and benchmarks. */
  public RelayVerticle(Supplier<List<Outbox>> outboxes, EventLog events, RelaySettings settings, MeterRegistry registry, String nodeId) {
    this.outboxSource = outboxes;
    this.events = events;
    this.settings = settings;
    this.registry = registry;
    this.nodeId = nodeId;
  }

  /** The memory outbox and the outbox table of each participant on PostgreSQL, as the participants choose them. */
  private static List<Outbox> outboxesOf(NodeContext node) {
    Set<String> prefixes = new LinkedHashSet<>();
    for (String service : PARTICIPANTS) {
      ConfigReader section = node.config().section(service);
      if (StoreChoice.postgres(section, node.backends())) {
        prefixes.add(section.string("tablePrefix", "sagabus_"));
      }
    }
    List<Outbox> outboxes = new ArrayList<>();
    outboxes.add(node.backends().outboxes().memory());
    prefixes.forEach(prefix -> outboxes.add(node.backends().outboxes().postgres(prefix)));
    return outboxes;
  }

  @Override
  public Future<?> start() {
    List<Outbox> outboxes = outboxSource.get();
    List<Future<Void>> created = outboxes.stream()
        .filter(PgOutbox.class::isInstance).map(outbox -> ((PgOutbox) outbox).start()).toList();
    return Future.all(created).compose(ignored -> {
      List<Future<Outbox.Subscription>> listening = new ArrayList<>();
      for (Outbox outbox : outboxes) {
        Sampled sample = new Sampled(outbox);
        sampled.add(sample);
        List<PartitionLoop> ofOutbox = new ArrayList<>();
        for (int partition = 0; partition < outbox.partitions(); partition++) {
          ofOutbox.add(new PartitionLoop(outbox, outbox.lease(partition), sample));
        }
        loops.addAll(ofOutbox);
        listening.add(outbox.onAppended(partition -> ofOutbox.get(partition).wake()).onSuccess(wakeUps::add));
      }
      return Future.all(listening);
    }).compose(ignored -> {
      loops.forEach(PartitionLoop::acquire);
      sampleBacklogs();
      sampleTimer = vertx.setPeriodic(settings.backlogSampleMs(), id -> sampleBacklogs());
      return vertx.eventBus().<JsonObject>consumer(RelayAddresses.STATUS, this::status).completion();
    });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(sampleTimer);
    List<Future<Void>> stopped = new ArrayList<>();
    wakeUps.forEach(wakeUp -> stopped.add(wakeUp.cancel()));
    loops.forEach(loop -> stopped.add(loop.stop()));
    return Future.join(stopped);
  }

  private void sampleBacklogs() {
    sampled.forEach(sample -> sample.outbox.backlog()
        .onSuccess(backlog -> {
          sample.backlog.set(backlog.pending());
          sample.oldestAgeMs.set(backlog.oldestAgeMs());
        })
        .onFailure(failure -> LOG.debug("backlog of outbox {} unavailable: {}", sample.outbox.name(), failure.toString())));
  }

  private void status(Message<JsonObject> message) {
    List<Future<Outbox.Backlog>> backlogs = sampled.stream().map(sample -> sample.outbox.backlog()).toList();
    Future.all(backlogs).onSuccess(all -> {
      JsonArray outboxes = new JsonArray();
      for (int i = 0; i < sampled.size(); i++) {
        Sampled sample = sampled.get(i);
        Outbox.Backlog backlog = backlogs.get(i).result();
        JsonArray held = new JsonArray();
        loops.stream().filter(loop -> loop.outbox == sample.outbox && loop.holding).forEach(loop -> held.add(loop.lease.partition()));
        outboxes.add(new JsonObject().put("name", sample.outbox.name()).put("backlog", backlog.pending())
            .put("oldestAgeMs", backlog.oldestAgeMs()).put("held", held));
      }
      message.reply(new JsonObject().put("node", nodeId).put("outboxes", outboxes));
    }).onFailure(failure -> message.fail(FailureCodes.UNAVAILABLE, failure.getMessage()));
  }

  /** An outbox's meters. */
  private final class Sampled {
    final Outbox outbox;
    final AtomicLong backlog = new AtomicLong();
    final AtomicLong oldestAgeMs = new AtomicLong();
    final AtomicLong held = new AtomicLong();
    final Counter published;

    Sampled(Outbox outbox) {
      this.outbox = outbox;
      Gauge.builder("sagabus.outbox.backlog", backlog, AtomicLong::get).description("Outbox entries not yet published")
          .tag("outbox", outbox.name()).register(registry);
      Gauge.builder("sagabus.outbox.oldest.age.ms", oldestAgeMs, AtomicLong::get).description("Age of the oldest unpublished outbox entry")
          .tag("outbox", outbox.name()).register(registry);
      Gauge.builder("sagabus.outbox.partitions.held", held, AtomicLong::get).description("Outbox partitions this node's relay publishes")
          .tag("outbox", outbox.name()).register(registry);
      this.published = Counter.builder("sagabus.outbox.published").description("Outbox entries published to the event log")
          .tag("outbox", outbox.name()).register(registry);
      if (outbox instanceof PgOutbox table) {
        FunctionTimer.builder("sagabus.outbox.vacuum", table, PgOutbox::vacuums, PgOutbox::vacuumNanos, TimeUnit.NANOSECONDS)
            .description("VACUUMs of the outbox table run by this node (it deletes every row it publishes)")
            .tag("outbox", outbox.name()).register(registry);
      }
    }
  }

  /** Publishes one outbox partition while it holds the partition's lease. */
  private final class PartitionLoop {
    final Outbox outbox;
    final Outbox.Lease lease;
    final Sampled meters;
    final AtomicBoolean wakeQueued = new AtomicBoolean();
    boolean holding;
    boolean stopped;
    /** Waiting for the next poll, the only time a wake starts a round at once. */
    boolean idle;
    boolean inRound;
    boolean wokenInRound;
    int failures;
    long timer = -1;

    PartitionLoop(Outbox outbox, Outbox.Lease lease, Sampled meters) {
      this.outbox = outbox;
      this.lease = lease;
      this.meters = meters;
    }

    /** From any thread: events were appended; many wakes before the loop sees them count as one. */
    void wake() {
      if (wakeQueued.compareAndSet(false, true)) {
        context.runOnContext(ignored -> {
          wakeQueued.set(false);
          woken();
        });
      }
    }

    private void woken() {
      if (inRound) {
        wokenInRound = true;
      } else if (idle) {
        vertx.cancelTimer(timer);
        drain();
      }
    }

    void acquire() {
      if (stopped) {
        return;
      }
      lease.tryAcquire().onComplete(taken -> {
        setHolding(taken.succeeded() && taken.result());
        if (holding) {
          drain();
        } else {
          later(settings.leaseRetryMs(), this::acquire);
        }
      });
    }

    void drain() {
      idle = false;
      if (stopped) {
        return;
      }
      inRound = true;
      wokenInRound = false;
      lease.next(settings.batchSize())
          .compose(entries -> entries.isEmpty() ? Future.succeededFuture(0) : events.publishEncoded(entries.stream().map(OutboxEntry::event).toList())
              .compose(ignored -> lease.sent(entries))
              .map(entries.size()))
          .onComplete(round -> {
            inRound = false;
            if (round.succeeded()) {
              failures = 0;
              meters.published.increment(round.result());
              if (round.result() == settings.batchSize() || wokenInRound) {
                // A fresh turn: with the memory outbox and embedded log a round completes synchronously.
                context.runOnContext(ignored -> drain());
              } else {
                idle = true;
                later(settings.pollMs(), this::drain);
              }
            } else {
              failures++;
              long backoff = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS << Math.min(failures - 1, 16));
              LOG.warn("relay of {} partition {} failed (attempt {}), retrying in {} ms: {}", outbox.name(), lease.partition(), failures,
                  backoff, round.cause().toString());
              // The lease may be gone with the database connection: acquire checks it before draining again.
              later(backoff, this::acquire);
            }
          });
    }

    Future<Void> stop() {
      stopped = true;
      vertx.cancelTimer(timer);
      setHolding(false);
      return lease.close();
    }

    private void setHolding(boolean now) {
      if (now != holding) {
        meters.held.addAndGet(now ? 1 : -1);
      }
      holding = now;
    }

    private void later(long delayMs, Runnable next) {
      timer = vertx.setTimer(delayMs, id -> next.run());
    }
  }
}
