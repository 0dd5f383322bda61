package io.sagabus.platform.outbox;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's outboxes: one in memory for services that keep state in memory, and one PostgreSQL table per table
 * prefix ({@code <prefix>event_outbox}) for services on PostgreSQL. Participants and the relay on a node share them.
 */
public final class Outboxes {

  public static final int DEFAULT_PARTITIONS = 4;

  private final Vertx vertx;
  private final Optional<Pool> pool;
  private final Optional<PgConnectOptions> connectOptions;
  private final int partitions;
  private final MemoryOutbox memory;
  private final Map<String, PgOutbox> tables = new ConcurrentHashMap<>();

  public Outboxes(Vertx vertx, Optional<Pool> pool, Optional<PgConnectOptions> connectOptions, int partitions) {
    this.vertx = vertx;
    this.pool = pool;
    this.connectOptions = connectOptions;
    this.partitions = partitions;
    this.memory = new MemoryOutbox(partitions);
  }

  public MemoryOutbox memory() {
    return memory;
  }

  /** The outbox table {@code <tablePrefix>event_outbox}; needs a configured PostgreSQL. */
  public PgOutbox postgres(String tablePrefix) {
    if (pool.isEmpty() || connectOptions.isEmpty()) {
      throw new IllegalStateException("a PostgreSQL outbox needs postgres.url");
    }
    return tables.computeIfAbsent(tablePrefix + "event_outbox",
        table -> new PgOutbox(vertx, pool.get(), connectOptions.get(), table, partitions, PgOutbox.DEFAULT_VACUUM_AFTER_DELETED_ROWS));
  }

  /** Every outbox opened on this node so far, the memory one first. */
  public List<Outbox> opened() {
    List<Outbox> all = new ArrayList<>();
    all.add(memory);
    all.addAll(tables.values());
    return all;
  }
}
