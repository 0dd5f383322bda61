package io.sagabus.platform.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagabus.testing.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PgSchemaTest {

  private final String table = "schema_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  private final List<String> ddl = List.of(
      "CREATE TABLE IF NOT EXISTS " + table + " (id int PRIMARY KEY, v int NOT NULL)",
      "CREATE INDEX IF NOT EXISTS " + table + "_v ON " + table + " (v)");
  private Vertx vertx;
  private Pool pool;

  @BeforeEach
  void connect() {
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().connectingTo(Backends.pgOptions("postgresql://postgres@127.0.0.1:5432/test"))
        .with(new PoolOptions().setMaxSize(8)).using(vertx).build();
  }

  @AfterEach
  void dropAndClose() {
    TestCluster.await(pool.query("DROP TABLE IF EXISTS " + table).execute());
    TestCluster.await(vertx.close());
  }

  @Test
  void manyNodesMigratingAtOnce_allSucceed() {
    List<Future<Void>> migrations = new ArrayList<>();
    for (int node = 0; node < 6; node++) {
      migrations.add(PgSchema.migrate(pool, ddl));
    }
    TestCluster.await(Future.all(migrations));
    assertThat(TestCluster.await(pool.query("SELECT to_regclass('" + table + "_v') IS NOT NULL AS present").execute())
        .iterator().next().getBoolean("present")).isTrue();
  }

  @Test
  void restartingNode_migratesWithoutWaitingForWritersOfABusyTable() {
    TestCluster.await(PgSchema.migrate(pool, ddl));
    SqlConnection writer = TestCluster.await(pool.getConnection());
    Transaction open = TestCluster.await(writer.begin());
    TestCluster.await(writer.query("INSERT INTO " + table + " VALUES (1, 1)").execute());

    // The writer's transaction stays open: a migration that took a share lock on the table would wait for it forever.
    TestCluster.await(PgSchema.migrate(pool, ddl));

    TestCluster.await(open.commit());
    TestCluster.await(writer.close());
  }
}
