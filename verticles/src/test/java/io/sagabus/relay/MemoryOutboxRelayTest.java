package io.sagabus.relay;

import io.sagabus.platform.events.DomainEvent;
import io.sagabus.platform.events.EmbeddedEventLog;
import io.sagabus.platform.events.EventLog;
import io.sagabus.platform.events.EventLogSettings;
import io.sagabus.platform.outbox.MemoryOutbox;
import io.sagabus.platform.outbox.Outbox;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/** The relay over the memory outbox and the embedded event log: what a node without Postgres and Kafka runs. */
class MemoryOutboxRelayTest extends OutboxRelayContract {

  private final MemoryOutbox outbox = new MemoryOutbox(4);

  @Override
  protected EventLog createLog(Vertx vertx) {
    return new EmbeddedEventLog(vertx, new EventLogSettings(run, 6, (short) 1, 100_000));
  }

  @Override
  protected Outbox outboxView() {
    return outbox;
  }

  @Override
  protected Future<Void> append(List<DomainEvent> events) {
    outbox.append(events);
    return Future.succeededFuture();
  }
}
