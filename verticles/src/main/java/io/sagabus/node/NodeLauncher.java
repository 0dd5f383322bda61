package io.sagabus.node;

import ch.qos.logback.classic.LoggerContext;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sagabus.platform.NodeContext;
import io.sagabus.platform.backend.Backends;
import io.sagabus.platform.cluster.ClusterView;
import io.sagabus.platform.cluster.NodeDirectory;
import io.sagabus.platform.config.NodeConfig;
import io.sagabus.platform.participant.HandedOverJson;
import io.sagabus.platform.security.JwtSecurity;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds a node from its config: Vert.x (clustered or not), backends, then one verticle per role. */
public final class NodeLauncher {

  private static final Logger LOG = LoggerFactory.getLogger(NodeLauncher.class);

  private NodeLauncher() {}

  /**
   * Starts a node. A node that fails to start closes its Vert.x and fails with the cause. Completion is reported on a
   * pool thread: the Vert.x of a node that failed is closed, and its event loops can report nothing.
   */
  public static CompletableFuture<RunningNode> start(NodeConfig config, boolean clustered) {
    List<String> roles = Roles.resolve(config.roles());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    bindJvmMetrics(registry);
    VertxOptions options = new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true)
        .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE, Label.EB_ADDRESS, Label.EB_SIDE, Label.EB_FAILURE, Label.POOL_TYPE, Label.POOL_NAME, Label.CLIENT_NAME)));
    var builder = Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(registry));
    Future<Vertx> vertxFuture;
    if (clustered) {
      if (config.cluster().host() != null) {
        options.getEventBusOptions().setHost(config.cluster().host()).setClusterPublicHost(config.cluster().host());
      }
      builder.withClusterManager(new HazelcastClusterManager(HazelcastConfigs.load(config.cluster(), false)));
      vertxFuture = builder.buildClustered();
    } else {
      vertxFuture = Future.succeededFuture(builder.build());
    }
    return vertxFuture.toCompletionStage().toCompletableFuture().thenComposeAsync(vertx -> {
      ClusterView cluster = clustered
          ? ClusterView.clustered(((VertxInternal) vertx).clusterManager())
          : ClusterView.standalone(UUID.randomUUID().toString());
      tagLogsWith(config.nodeName(), cluster.nodeId());
      // Before any verticle: a node without a saga or ledger role may still receive a command from another node.
      HandedOverJson.registerOn(vertx);
      return deploy(vertx, config, cluster, registry, roles).toCompletionStage()
          .handleAsync((node, failure) -> failure == null
              ? CompletableFuture.completedFuture(node)
              : vertx.close().toCompletionStage().<RunningNode>handle((closed, ignored) -> {
                throw failure instanceof CompletionException ? (CompletionException) failure : new CompletionException(failure);
              }))
          .thenCompose(Function.identity());
    });
  }

  private static Future<RunningNode> deploy(Vertx vertx, NodeConfig config, ClusterView cluster, PrometheusMeterRegistry registry, List<String> roles) {
    Backends backends = Backends.connect(vertx, config);
    HttpEndpoint http = new HttpEndpoint(config);
    NodeDirectory directory = new NodeDirectory(vertx, cluster, config.nodeName(), roles, http.url());
    NodeContext context = new NodeContext(config, cluster, directory, backends, registry);
    cluster.onMemberLeft(nodeId -> vertx.runOnContext(ignored -> {
      LOG.info("node {} left the cluster; {} members remain", nodeId, cluster.members().size());
      directory.forget(nodeId);
    }));
    cluster.onMemberJoined(nodeId -> LOG.info("node {} joined the cluster; {} members", nodeId, cluster.members().size()));

    Future<Void> deployed = NodeAgents.deploy(vertx, context);
    for (String role : roles) {
      if (!role.equals(Roles.GATEWAY)) {
        deployed = deployed.compose(ignored -> vertx.deployVerticle(Roles.create(role, context)).mapEmpty());
      }
    }
    return deployed
        .compose(ignored -> deployHttp(vertx, context, roles))
        .compose(ignored -> directory.register())
        .map(ignored -> {
          RunningNode node = new RunningNode(vertx, context, roles, http.url());
          LOG.info("sagabus node up: id={} name={} roles={} http={} cluster={} backends={}",
              cluster.nodeId(), config.nodeName(), String.join(",", roles), http.url(),
              cluster.clustered() ? config.cluster().name() + " (" + cluster.members().size() + " members)" : "standalone",
              backends.describe().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ")));
          return node;
        });
  }

  /**
   * The gateway runs once per {@code http.instances}, each instance on its own event loop, all listening on one port
   * (Vert.x spreads the connections), so one busy loop does not queue every request of the node. A node without the
   * gateway role serves only the management routes.
   */
  private static Future<String> deployHttp(Vertx vertx, NodeContext context, List<String> roles) {
    if (!roles.contains(Roles.GATEWAY)) {
      return vertx.deployVerticle(new ManagementVerticle(context));
    }
    JwtSecurity.warnIfDevelopmentKey(context.config());
    return vertx.deployVerticle(() -> Roles.create(Roles.GATEWAY, context),
        new DeploymentOptions().setInstances(context.config().http().instances()));
  }

  private static void bindJvmMetrics(PrometheusMeterRegistry registry) {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** Every log line after this carries the node, so merged logs of a cluster stay readable. */
  private static void tagLogsWith(String nodeName, String nodeId) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
      logback.putProperty("node", nodeName + "/" + nodeId.substring(0, Math.min(8, nodeId.length())));
    }
  }

  /** The URL clients use; a wildcard bind address is reported as loopback. */
  private record HttpEndpoint(String url) {
    HttpEndpoint(NodeConfig config) {
      this("http://" + (config.http().host().equals("0.0.0.0") ? "127.0.0.1" : config.http().host()) + ":" + config.http().port());
    }
  }
}
