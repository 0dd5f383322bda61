package io.sagabus.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node KRaft Kafka broker in its own JVM, on the classpath that {@code deploy/kafka-broker} resolves
 * from Maven Central. Stop and restart keep its log directory, so a test can take Kafka away and bring it back.
 *
 * <p>When {@code SAGABUS_TEST_KAFKA_BOOTSTRAP} is set (CI starts one broker with deploy/kafka.sh), {@link #shared()}
 * uses that broker instead of starting another.
 */
public final class KafkaBroker implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static KafkaBroker shared;

  private final Path dir;
  private final int port;
  private final int controllerPort;
  private final String external;
  private Process process;

  private KafkaBroker(Path dir, int port, int controllerPort, String external) {
    this.dir = dir;
    this.port = port;
    this.controllerPort = controllerPort;
    this.external = external;
  }

  /** One broker for every test in this JVM that only needs Kafka to be there. */
  public static synchronized KafkaBroker shared() {
    if (shared == null) {
      String bootstrap = System.getenv("SAGABUS_TEST_KAFKA_BOOTSTRAP");
      if (bootstrap != null && !bootstrap.isBlank()) {
        shared = new KafkaBroker(null, -1, -1, bootstrap);
      } else {
        shared = start();
        KafkaBroker started = shared;
        Runtime.getRuntime().addShutdownHook(new Thread(started::close));
      }
    }
    return shared;
  }

  /** A broker of the caller's own, which the caller may stop and restart. */
  public static KafkaBroker start() {
    try {
      Path dir = Files.createTempDirectory("sagabus-kafka-");
      KafkaBroker broker = new KafkaBroker(dir, FreePorts.next(), FreePorts.next(), null);
      broker.format();
      broker.launch();
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String bootstrap() {
    return external != null ? external : "127.0.0.1:" + port;
  }

  /** Deletes the topics whose names start with {@code prefix}: what one test created. */
  public void deleteTopicsStartingWith(String prefix) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
      var mine = admin.listTopics().names().get(10, TimeUnit.SECONDS).stream().filter(topic -> topic.startsWith(prefix)).toList();
      admin.deleteTopics(mine).all().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("could not delete the topics of " + prefix + ": " + e, e);
    }
  }

  /** Stops the broker gracefully; {@link #restart()} brings it back with its data. */
  public void stop() {
    requireOwned();
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  public void restart() {
    requireOwned();
    launch();
  }

  @Override
  public void close() {
    if (external == null) {
      stop();
    }
  }

  private void format() throws IOException {
    Properties props = new Properties();
    props.putAll(Map.of(
        "process.roles", "broker,controller",
        "node.id", "1",
        "controller.quorum.voters", "1@127.0.0.1:" + controllerPort,
        "listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "advertised.listeners", "PLAINTEXT://127.0.0.1:" + port,
        "controller.listener.names", "CONTROLLER",
        "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs", dir.resolve("data").toString(),
        "num.partitions", "3"));
    props.putAll(Map.of(
        "offsets.topic.replication.factor", "1",
        "transaction.state.log.replication.factor", "1",
        "transaction.state.log.min.isr", "1",
        "group.initial.rebalance.delay.ms", "0",
        "auto.create.topics.enable", "true"));
    try (var out = Files.newOutputStream(dir.resolve("server.properties"))) {
      props.store(out, "sagabus test broker");
    }
    Files.writeString(dir.resolve("log4j.properties"), String.join("\n",
        "log4j.rootLogger=WARN, file",
        "log4j.appender.file=org.apache.log4j.FileAppender",
        "log4j.appender.file.File=" + dir.resolve("broker.log"),
        "log4j.appender.file.layout=org.apache.log4j.PatternLayout",
        "log4j.appender.file.layout.ConversionPattern=%d %p %c - %m%n", ""));
    Process formatting = java("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(),
        "-c", dir.resolve("server.properties").toString()).start();
    try {
      if (!formatting.waitFor(60, TimeUnit.SECONDS) || formatting.exitValue() != 0) {
        throw new IllegalStateException("kafka storage format failed: " + new String(formatting.getInputStream().readAllBytes()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void launch() {
    try {
      process = java("kafka.Kafka", dir.resolve("server.properties").toString())
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    awaitReady();
  }

  private void awaitReady() {
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("kafka broker exited with " + process.exitValue() + "; see " + dir);
      }
      if (listening() && describes()) {
        return;
      }
      sleep(200);
    }
    throw new IllegalStateException("kafka broker not ready within " + START_TIMEOUT + "; see " + dir);
  }

  private boolean listening() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private boolean describes() {
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000))) {
      return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
    } catch (Exception e) {
      return false;
    }
  }

  private ProcessBuilder java(String mainClass, String... args) throws IOException {
    String classpath = Files.readString(classpathFile()).trim();
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-XX:+UseSerialGC",
        "-Dlog4j.configuration=file:" + dir.resolve("log4j.properties"),
        "-cp", classpath, mainClass));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true);
  }

  private static Path classpathFile() {
    Path file = Path.of(System.getProperty("sagabus.kafka.classpath", "../deploy/kafka-broker/target/broker-classpath.txt"));
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("no Kafka broker classpath at " + file.toAbsolutePath()
          + "; build it with: mvn -pl deploy/kafka-broker generate-resources");
    }
    return file;
  }

  private void requireOwned() {
    if (external != null) {
      throw new IllegalStateException("the shared external broker cannot be stopped by a test");
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
