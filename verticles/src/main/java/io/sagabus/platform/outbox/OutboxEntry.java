package io.sagabus.platform.outbox;

import io.sagabus.platform.events.EncodedEvent;

/** One unpublished event and its outbox id; ids grow in write order. */
public record OutboxEntry(long id, EncodedEvent event) {}
