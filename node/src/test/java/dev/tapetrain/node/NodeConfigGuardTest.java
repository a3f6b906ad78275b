package dev.tapetrain.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tapetrain.spi.UserError;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every node's port is guarded, plain TCP and TLS alike (issue 25 item 7: with TLS the guard was
 * off), with the limits of {@code tapetrain.guard}; Artery binds loopback behind the guard.
 */
class NodeConfigGuardTest {

  private static void assertBehindTheGuard(NodeConfig.Node node) {
    Config c = node.config();
    assertEquals(node.guard().publicPort(), c.getInt("akka.remote.artery.canonical.port"));
    assertEquals("127.0.0.1", c.getString("akka.remote.artery.bind.hostname"));
    assertEquals(node.guard().internalPort(), c.getInt("akka.remote.artery.bind.port"));
  }

  @Test
  void aTlsNodesPortIsGuardedByTlsRecordsAndAPlainOnesByArteryFrames() {
    Config tls = ConfigFactory.parseMap(Map.of("akka.remote.artery.transport", "tls-tcp"));
    try (NodeConfig.Node node = NodeConfig.start(NodeConfig.WORKER_ROLE, "127.0.0.1", 0, tls)) {
      assertTrue(node.guard().framing() instanceof TlsFraming, "TLS: " + node.guard().framing());
      assertBehindTheGuard(node);
      assertEquals(FrameGuard.Limits.DEFAULT, node.guard().limits(),
          "tapetrain-cluster.conf's defaults are the documented ones");
    }
    try (NodeConfig.Node node = NodeConfig.start(NodeConfig.WORKER_ROLE, "127.0.0.1", 0,
        ConfigFactory.empty())) {
      assertTrue(node.guard().framing() instanceof ArteryFraming, "plain: "
          + node.guard().framing());
      assertBehindTheGuard(node);
    }
  }

  @Test
  void theGuardsLimitsComeFromTheConfigurationAndABadOneIsNamed() {
    Config base = NodeConfig.cluster(NodeConfig.WORKER_ROLE, "127.0.0.1", 0);
    Config mine = ConfigFactory.parseString("tapetrain.guard { max-connections = 5,"
        + " open-timeout = 2s, buffer-budget = 1 MiB }").withFallback(base);
    assertEquals(new FrameGuard.Limits(5, 64, Duration.ofSeconds(2), Duration.ofSeconds(10),
        1 << 20), NodeConfig.guardLimits(mine));
    for (String bad : new String[] {"open-timeout = 0s", "max-connections = 0",
        "max-connections = many", "buffer-budget = 3 GiB"}) {
      UserError e = assertThrows(UserError.class, () -> NodeConfig.guardLimits(
          ConfigFactory.parseString("tapetrain.guard." + bad).withFallback(base)), bad);
      assertTrue(e.getMessage().startsWith("tapetrain.guard: "), e.getMessage());
    }
  }
}
