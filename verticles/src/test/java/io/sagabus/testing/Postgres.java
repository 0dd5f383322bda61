package io.sagabus.testing;

import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** A database of its own on the machine's Postgres, for tests whose nodes run in other JVMs. */
public final class Postgres {

  private Postgres() {}

  /** Creates a fresh database and returns its URL. */
  public static String createDatabase(String purpose) {
    String name = "sagabus_" + purpose + "_" + UUID.randomUUID().toString().substring(0, 8);
    psql("CREATE DATABASE " + name);
    return "postgresql://postgres@127.0.0.1:5432/" + name;
  }

  public static void dropDatabase(String url) {
    String name = url.substring(url.lastIndexOf('/') + 1);
    psql("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }

  private static void psql(String statement) {
    try {
      Process process = new ProcessBuilder("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-v", "ON_ERROR_STOP=1", "-c", statement)
          .redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes());
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("psql '" + statement + "' failed: " + output);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run psql: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
