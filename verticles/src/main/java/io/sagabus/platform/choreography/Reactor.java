package io.sagabus.platform.choreography;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sagabus.platform.eventbus.FailureCodes;
import io.sagabus.platform.events.DomainEvent;
import io.sagabus.platform.events.EventLog;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service's part in a choreographed flow: a consumer group of its own that reacts to other services' events by
 * running the service's own idempotent steps. Built with a DSL that reads like the business process:
 *
 * <pre>{@code
 * Reactor.forService("inventory")
 *     .when(ORDER_CREATED).invoke("reserve-inventory", InventoryAddresses.RESERVE).ifRefusedAnnounce(INVENTORY_REJECTED)
 *     .when(PAYMENT_DECLINED, PAYMENT_REFUNDED).compensate("reserve-inventory", InventoryAddresses.RELEASE)
 *     .build(eventLog, metrics);
 * }</pre>
 *
 * <p>A step that succeeds is announced by its participant ({@code inventory-reserved}, {@code inventory-released}),
 * written to the participant's outbox in the transaction of the change and published by the relay; the command
 * carries the flow and its mark, so that event carries them on ({@link FlowEvents#announced}). A step a business
 * rule refuses changes nothing, so the reactor announces the refusal itself ({@code inventory-rejected}), under an id
 * fixed by flow and type.
 *
 * <p>Redelivery is safe: the log moves the group past a trigger only after the step has answered (and a refusal's
 * event is durable). A crash in between redelivers the trigger; the participant's step ledger, keyed on (flow id,
 * step), returns the first outcome without doing the work or writing its event again. A transient failure
 * (timeout, 5xx, no handler) fails the handler, so the log redelivers after its back-off: a choreographed step is
 * retried until it answers, never given up on.
 */
public final class Reactor extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(Reactor.class);
  public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
  /** Event ids already handled, so an exact duplicate does not ripple a duplicate through every later service. */
  private static final int REMEMBERED_EVENTS = 10_000;
  private static final long RESUBSCRIBE_FIRST_MS = 500;
  private static final long RESUBSCRIBE_MAX_MS = 30_000;

  private final String service;
  private final Map<String, Reaction> byTrigger;
  private final EventLog log;
  private final MeterRegistry metrics;
  private final Set<String> handled = Collections.newSetFromMap(Collections.synchronizedMap(new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > REMEMBERED_EVENTS;
    }
  }));
  private EventLog.Subscription subscription;
  private boolean stopped;

  private Reactor(String service, Map<String, Reaction> byTrigger, EventLog log, MeterRegistry metrics) {
    this.service = service;
    this.byTrigger = byTrigger;
    this.log = log;
    this.metrics = metrics;
  }

  /**
   * A reactor for {@code service}; its consumer group is {@code <service>-reactions}, one per service whatever the
   * number of nodes, so each event reaches one node of the service.
   */
  public static Builder forService(String service) {
    return new Builder(service);
  }

  /**
   * Starts at once and subscribes in the background, retrying until the log answers: a node whose event log is down
   * still runs its services for orchestrated sagas. A group without offsets starts from the earliest event, so
   * nothing published before the subscription is missed.
   */
  @Override
  public Future<?> start() {
    subscribe(1);
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    return subscription == null ? Future.succeededFuture() : subscription.close();
  }

  private void subscribe(int attempt) {
    log.subscribe(service + "-reactions", List.copyOf(byTrigger.keySet()), EventLog.StartFrom.EARLIEST, this::react).onComplete(result -> {
      if (result.succeeded()) {
        subscription = result.result();
        if (stopped) {
          subscription.close();
        }
      } else if (!stopped) {
        long delay = Math.min(RESUBSCRIBE_MAX_MS, RESUBSCRIBE_FIRST_MS << Math.min(attempt - 1, 10));
        LOG.warn("{}: cannot subscribe to the event log (attempt {}), again in {} ms: {}", service, attempt, delay, result.cause().getMessage());
        vertx.setTimer(delay, id -> {
          if (!stopped) {
            subscribe(attempt + 1);
          }
        });
      }
    });
  }

  Future<Void> react(DomainEvent event) {
    Reaction reaction = byTrigger.get(event.type());
    if (reaction == null || !FlowEvents.choreographed(event) || handled.contains(event.eventId())) {
      return Future.succeededFuture();
    }
    JsonObject flow = event.payload();
    JsonObject command = flow.copy().put("sagaId", event.sagaId()).put("step", reaction.step()).put("attempt", 1);
    if (event.traceparent() != null) {
      command.put("traceparent", event.traceparent());
    }
    if (reaction.compensation()) {
      command.put("compensation", true);
    }
    return vertx.eventBus().<JsonObject>request(reaction.address(), command, new DeliveryOptions().setSendTimeout(COMMAND_TIMEOUT.toMillis()))
        .<Void>transform(answer -> {
          if (answer.succeeded()) {
            count(event, "succeeded");
            return Future.succeededFuture();
          }
          Throwable failure = answer.cause();
          if (!reaction.critical()) {
            LOG.info("{}: non-critical step {} of flow {} failed, the flow goes on: {}", service, reaction.step(), event.sagaId(), failure.getMessage());
            count(event, "skipped");
            return Future.succeededFuture();
          }
          if (!reaction.compensation() && !FailureCodes.retryable(failure)) {
            return announceRefusal(event, reaction, failure);
          }
          count(event, "retried");
          return Future.failedFuture(failure);
        })
        .onSuccess(done -> handled.add(event.eventId()));
  }

  private Future<Void> announceRefusal(DomainEvent trigger, Reaction reaction, Throwable refusal) {
    if (reaction.announcedOnRefusal() == null) {
      LOG.warn("{}: step {} of flow {} was refused and nothing follows: {}", service, reaction.step(), trigger.sagaId(), refusal.getMessage());
      count(trigger, "refused");
      return Future.succeededFuture();
    }
    JsonObject refused = trigger.payload().copy().put(FlowEvents.FAILED_STEP, reaction.step()).put(FlowEvents.REASON, refusal.getMessage());
    return log.publish(List.of(FlowEvents.event(trigger.sagaId(), reaction.announcedOnRefusal(), trigger.key(), trigger.traceparent(), refused)))
        .onSuccess(published -> count(trigger, "refused"))
        .onFailure(failure -> LOG.warn("{}: could not publish {} for flow {}; the trigger will be redelivered: {}",
            service, reaction.announcedOnRefusal(), trigger.sagaId(), failure.getMessage()));
  }

  private void count(DomainEvent trigger, String outcome) {
    if (metrics != null) {
      Counter.builder("sagabus.choreography.reactions").description("Events a service reacted to, by outcome")
          .tag("service", service).tag("event", trigger.type()).tag("outcome", outcome)
          .register(metrics).increment();
    }
  }

  /** Collects reactions in order; {@code when(..)} starts the next one. */
  public static final class Builder {
    private final String service;
    private final List<Reaction> reactions = new ArrayList<>();

    private Builder(String service) {
      this.service = Objects.requireNonNull(service, "service");
    }

    public When when(String... triggers) {
      return new When(this, List.of(triggers));
    }

    private Reactor build(EventLog log, MeterRegistry metrics) {
      Map<String, Reaction> byTrigger = new LinkedHashMap<>();
      for (Reaction reaction : reactions) {
        for (String trigger : reaction.triggers()) {
          if (byTrigger.put(trigger, reaction) != null) {
            throw new IllegalStateException(service + " reacts to " + trigger + " twice");
          }
        }
      }
      if (byTrigger.isEmpty()) {
        throw new IllegalStateException(service + " reacts to nothing");
      }
      return new Reactor(service, Map.copyOf(byTrigger), Objects.requireNonNull(log, "log"), metrics);
    }
  }

  /** The triggers of one reaction, waiting for what the service does about them. */
  public static final class When {
    private final Builder reactor;
    private final List<String> triggers;

    private When(Builder reactor, List<String> triggers) {
      this.reactor = reactor;
      this.triggers = triggers;
    }

    /** Run the service's step {@code step} at {@code address}. */
    public Then invoke(String step, String address) {
      return new Then(reactor, triggers, step, address, false);
    }

    /** Undo the service's step {@code step} through its compensation {@code address}; a step never run is a no-op. */
    public Then compensate(String step, String address) {
      return new Then(reactor, triggers, step, address, true);
    }
  }

  /** How one reaction ends; {@code when(..)} or {@code build(..)} finishes it. */
  public static final class Then {
    private final Builder reactor;
    private final List<String> triggers;
    private final String step;
    private final String address;
    private final boolean compensation;
    private String announcedOnRefusal;
    private boolean critical = true;

    private Then(Builder reactor, List<String> triggers, String step, String address, boolean compensation) {
      this.reactor = reactor;
      this.triggers = triggers;
      this.step = Objects.requireNonNull(step, "step");
      this.address = Objects.requireNonNull(address, "address");
      this.compensation = compensation;
    }

    /** When a business rule refuses the step, publish {@code type} for the services that undo what came before. */
    public Then ifRefusedAnnounce(String type) {
      this.announcedOnRefusal = type;
      return this;
    }

    /** The step's failure is counted and nothing follows from it. */
    public Then nonCritical() {
      this.critical = false;
      return this;
    }

    public When when(String... next) {
      finish();
      return reactor.when(next);
    }

    public Reactor build(EventLog log, MeterRegistry metrics) {
      finish();
      return reactor.build(log, metrics);
    }

    private void finish() {
      if (compensation && announcedOnRefusal != null) {
        throw new IllegalStateException("compensation of " + step + " cannot be refused: it is retried until it succeeds");
      }
      reactor.reactions.add(new Reaction(triggers, step, address, compensation, announcedOnRefusal, critical));
    }
  }
}
