package io.sagabus.node;

import io.sagabus.circuits.CircuitsVerticle;
import io.sagabus.dashboard.DashboardVerticle;
import io.sagabus.dashboard.contract.DashboardAddresses;
import io.sagabus.gateway.GatewayVerticle;
import io.sagabus.inventory.InventoryVerticle;
import io.sagabus.notification.NotificationVerticle;
import io.sagabus.order.OrderVerticle;
import io.sagabus.orderview.OrderViewVerticle;
import io.sagabus.orderview.contract.OrderViewAddresses;
import io.sagabus.payment.PaymentVerticle;
import io.sagabus.saga.SagaVerticle;
import io.sagabus.shipping.ShippingVerticle;
import io.sagabus.platform.NodeContext;
import io.sagabus.ratelimit.RateLimitVerticle;
import io.sagabus.relay.RelayVerticle;
import io.sagabus.relay.contract.RelayAddresses;
import io.sagabus.platform.config.ConfigException;
import io.vertx.core.Deployable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The services a node can run, by role name. A node runs every role unless told otherwise. */
public final class Roles {

  public static final String GATEWAY = "gateway";

  private static final Map<String, Function<NodeContext, Deployable>> FACTORIES = new LinkedHashMap<>();

  static {
    FACTORIES.put("order", OrderVerticle::new);
    FACTORIES.put("inventory", InventoryVerticle::new);
    FACTORIES.put("payment", PaymentVerticle::new);
    FACTORIES.put("shipping", ShippingVerticle::new);
    FACTORIES.put("notification", NotificationVerticle::new);
    FACTORIES.put(RelayAddresses.ROLE, RelayVerticle::new);
    FACTORIES.put("saga", SagaVerticle::new);
    FACTORIES.put("circuits", CircuitsVerticle::new);
    FACTORIES.put("ratelimit", RateLimitVerticle::new);
    FACTORIES.put(OrderViewAddresses.ROLE, OrderViewVerticle::new);
    FACTORIES.put(DashboardAddresses.ROLE, DashboardVerticle::new);
    FACTORIES.put(GATEWAY, GatewayVerticle::new);
  }

  private Roles() {}

  public static List<String> all() {
    return List.copyOf(FACTORIES.keySet());
  }

  /** The requested roles in deployment order (services before the gateway), or every role when none is named. */
  public static List<String> resolve(List<String> requested) {
    if (requested.isEmpty()) {
      return all();
    }
    for (String role : requested) {
      if (!FACTORIES.containsKey(role)) {
        throw new ConfigException("roles", "unknown role '" + role + "' (known: " + String.join(", ", all()) + ")");
      }
    }
    List<String> ordered = new ArrayList<>();
    for (String role : FACTORIES.keySet()) {
      if (requested.contains(role)) {
        ordered.add(role);
      }
    }
    return List.copyOf(ordered);
  }

  static Deployable create(String role, NodeContext node) {
    return FACTORIES.get(role).apply(node);
  }
}
