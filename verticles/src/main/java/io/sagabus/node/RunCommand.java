package io.sagabus.node;

import io.sagabus.platform.config.ConfigException;
import io.sagabus.platform.config.ConfigLoader;
import io.sagabus.platform.config.NodeConfig;
import java.net.BindException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
        "Runs a node. Without -cluster it is a standalone node on embedded backends.",
        "Environment variables (SAGABUS_HTTP_PORT, SAGABUS_PG_URL, SAGABUS_KAFKA_BOOTSTRAP, SAGABUS_REDIS_URL, ...)",
        "override the profile; options given here override both."})
final class RunCommand implements Callable<Integer> {

  private static final long STOP_TIMEOUT_SECONDS = 20;

  @Option(names = "-cluster", description = "Join the Hazelcast cluster the profile describes.")
  boolean cluster;

  @Option(names = {"--profile", "-conf"}, paramLabel = "NAME|FILE",
      description = "Profile (embedded, local-cluster, production) or a JSON file. Default: $SAGABUS_PROFILE or embedded.")
  String profile;

  @Option(names = "--roles", split = ",", paramLabel = "ROLE",
      description = "Roles to run, comma-separated. Default: every role.")
  java.util.List<String> roles;

  @Option(names = "--http-port", paramLabel = "PORT", description = "HTTP port. Default 8080.")
  String httpPort;

  @Option(names = "--node-name", paramLabel = "NAME", description = "A readable name for this node in logs and the dashboard.")
  String nodeName;

  @Option(names = "-cluster-host", paramLabel = "HOST", description = "Address the event bus binds and advertises.")
  String clusterHost;

  @Option(names = "-cluster-port", paramLabel = "PORT", description = "First Hazelcast port to try.")
  String clusterPort;

  @Override
  public Integer call() throws InterruptedException {
    NodeConfig config;
    try {
      config = ConfigLoader.load(profile, System.getenv(), overrides());
      Roles.resolve(config.roles());
    } catch (ConfigException e) {
      return configError(e);
    }
    Logger log = LoggerFactory.getLogger(RunCommand.class);
    RunningNode node;
    try {
      node = NodeLauncher.start(config, cluster).get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ConfigException configException) {
        return configError(configException);
      }
      if (cause instanceof BindException) {
        System.err.println("sagabus: cannot listen on HTTP port " + config.http().port() + ": address already in use");
        return ExitCodes.FAILED;
      }
      System.err.println("sagabus: node failed to start: " + cause);
      return ExitCodes.FAILED;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("stopping node {}", node.nodeId());
      try {
        node.close().get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        log.info("node {} stopped and left the cluster", node.nodeId());
      } catch (Exception e) {
        log.warn("node {} did not stop cleanly: {}", node.nodeId(), e.toString());
      } finally {
        stopped.countDown();
      }
    }, "sagabus-shutdown"));
    stopped.await();
    return ExitCodes.OK;
  }

  private Map<String, Object> overrides() {
    Map<String, Object> overrides = new LinkedHashMap<>();
    if (roles != null) {
      overrides.put("roles", String.join(",", roles));
    }
    if (httpPort != null) {
      overrides.put("http.port", httpPort);
    }
    if (nodeName != null) {
      overrides.put("nodeName", nodeName);
    }
    if (clusterHost != null) {
      overrides.put("cluster.host", clusterHost);
    }
    if (clusterPort != null) {
      overrides.put("cluster.port", clusterPort);
    }
    return overrides;
  }

  static int configError(ConfigException e) {
    System.err.println("sagabus: config error: " + e.getMessage());
    return ExitCodes.BAD_INPUT;
  }
}
