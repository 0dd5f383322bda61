package io.sagabus.platform.outbox;

import io.sagabus.platform.events.DomainEvent;

/** One unpublished event and its outbox id; ids grow in write order. */
public record OutboxEntry(long id, DomainEvent event) {}
