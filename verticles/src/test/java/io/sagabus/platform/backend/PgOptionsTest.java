package io.sagabus.platform.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagabus.testing.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PgOptionsTest {

  private static final String URL = "postgresql://postgres@127.0.0.1:5432/test";

  private Vertx vertx;
  private Pool pool;

  @BeforeEach
  void connect() {
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().connectingTo(Backends.pgOptions(URL))
        .with(new PoolOptions().setMaxSize(1)).using(vertx).build();
  }

  @AfterEach
  void close() {
    TestCluster.await(vertx.close());
  }

  @Test
  void aStatementRunTwice_isPreparedOnceOnItsConnection() {
    assertThat(preparedAfterTwoRuns(pool)).isEqualTo(1);
  }

  @Test
  void withoutKeptStatements_nothingStaysPreparedForAPoolerToLose() {
    Pool unkept = PgBuilder.pool().connectingTo(Backends.pgOptions(URL, false))
        .with(new PoolOptions().setMaxSize(1)).using(vertx).build();
    assertThat(preparedAfterTwoRuns(unkept)).isZero();
  }

  private static long preparedAfterTwoRuns(Pool pool) {
    String select = "SELECT $1::int + 1 AS next";
    SqlConnection connection = TestCluster.await(pool.getConnection());
    try {
      for (int run = 0; run < 2; run++) {
        TestCluster.await(connection.preparedQuery(select).execute(Tuple.of(run)));
      }
      RowSet<Row> prepared = TestCluster.await(connection
          .query("SELECT count(*) AS statements FROM pg_prepared_statements WHERE statement = '" + select + "'").execute());
      return prepared.iterator().next().getLong("statements");
    } finally {
      TestCluster.await(connection.close());
    }
  }

  @Test
  void everyConnection_plansEachExecutionForItsOwnParameters() {
    RowSet<Row> mode = TestCluster.await(pool.query("SHOW plan_cache_mode").execute());
    assertThat(mode.iterator().next().getString(0)).isEqualTo("force_custom_plan");
  }
}
