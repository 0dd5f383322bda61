package io.sagabus.node;

import com.hazelcast.config.Config;
import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.config.XmlConfigBuilder;
import io.sagabus.platform.config.ConfigException;
import io.sagabus.platform.config.NodeConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads the Hazelcast file a profile names and applies the node's own cluster settings on top. */
final class HazelcastConfigs {

  private HazelcastConfigs() {}

  static Config load(NodeConfig.Cluster cluster, boolean liteMember) {
    Config config = parse(cluster.hazelcastConfig());
    config.setClusterName(cluster.name());
    config.setLiteMember(liteMember);
    if (cluster.port() > 0) {
      config.getNetworkConfig().setPort(cluster.port());
    }
    if (!cluster.members().isEmpty()) {
      config.getNetworkConfig().getJoin().getTcpIpConfig().setMembers(cluster.members());
    }
    // The node leaves the cluster from its own shutdown hook, after its verticles have stopped.
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    return config;
  }

  private static Config parse(String location) {
    try (InputStream in = open(location)) {
      return new XmlConfigBuilder(in).build();
    } catch (InvalidConfigurationException e) {
      throw new ConfigException("cluster.hazelcastConfig", "'" + location + "' is not a valid Hazelcast config: " + e.getMessage().lines().findFirst().orElse(""));
    } catch (IOException e) {
      throw new ConfigException("cluster.hazelcastConfig", "cannot read '" + location + "': " + e.getMessage());
    }
  }

  private static InputStream open(String location) throws IOException {
    Path file = Path.of(location);
    if (Files.isRegularFile(file)) {
      return Files.newInputStream(file);
    }
    InputStream resource = HazelcastConfigs.class.getResourceAsStream("/cluster-config/" + location);
    if (resource == null) {
      throw new ConfigException("cluster.hazelcastConfig", "no file or bundled config named '" + location
          + "' (bundled: hazelcast-loopback.xml, hazelcast-kubernetes.xml)");
    }
    return resource;
  }
}
