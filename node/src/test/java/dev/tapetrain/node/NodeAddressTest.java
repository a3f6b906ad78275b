package dev.tapetrain.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tapetrain.spi.UserError;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodeAddressTest {

  private static final Optional<OperatorEnvironment.Role> RANK0 = OperatorEnvironment.read(
      Map.of("MASTER_ADDR", "job-master-0", "MASTER_PORT", "23456", "WORLD_SIZE", "2",
          "RANK", "0"));
  private static final Optional<OperatorEnvironment.Role> RANK1 = OperatorEnvironment.read(
      Map.of("MASTER_ADDR", "job-master-0", "MASTER_PORT", "23456", "WORLD_SIZE", "2",
          "RANK", "1"));

  @Test
  void withoutEnvironmentANodeBindsWhatItAdvertises() {
    assertEquals(new NodeAddress("127.0.0.1", "127.0.0.1", 2551),
        NodeAddress.resolve(null, null, null, 2551, Optional.empty(), () -> "10.9.9.9"));
    assertEquals(new NodeAddress("10.0.0.1", "10.0.0.1", 7),
        NodeAddress.resolve("10.0.0.1", null, 7, 2551, Optional.empty(), () -> "10.9.9.9"));
    assertEquals(new NodeAddress("gateway.example", "0.0.0.0", 2551),
        NodeAddress.resolve("gateway.example", "0.0.0.0", null, 2551, Optional.empty(),
            () -> "10.9.9.9"));
  }

  @Test
  void theEnvironmentsCoordinatorAdvertisesMasterAddrAndBindsEveryInterface() {
    assertEquals(new NodeAddress("job-master-0", "0.0.0.0", 23456),
        NodeAddress.resolve(null, null, null, 2551, RANK0, () -> "10.9.9.9"));
    assertEquals(new NodeAddress("job-master-0", "127.0.0.1", 23456),
        NodeAddress.resolve("job-master-0", "127.0.0.1", 23456, 2551, RANK0, () -> "10.9.9.9"));
    assertEquals("--host 10.0.0.1 contradicts MASTER_ADDR=job-master-0",
        assertThrows(UserError.class, () -> NodeAddress.resolve("10.0.0.1", null, null, 2551,
            RANK0, () -> "10.9.9.9")).getMessage());
  }

  @Test
  void aTfConfigWorkerListensOnItsOwnPortAndAdvertisesItsOwnName() {
    Optional<OperatorEnvironment.Role> worker = OperatorEnvironment.read(Map.of("TF_CONFIG",
        "{\"cluster\": {\"chief\": [\"chief-0.svc:2222\"], \"worker\": [\"worker-0.svc:2223\"]}, "
            + "\"task\": {\"type\": \"worker\", \"index\": 0}}"));
    assertEquals(new NodeAddress("worker-0.svc", "0.0.0.0", 2223),
        NodeAddress.resolve(null, null, null, 0, worker, () -> "10.9.9.9"));
    assertEquals("--port 0 contradicts TF_CONFIG (task worker 0), which gives 2223",
        assertThrows(UserError.class, () -> NodeAddress.resolve(null, null, 0, 0, worker,
            () -> "10.9.9.9")).getMessage());
  }

  @Test
  void aTorchWorkerAdvertisesItsOwnAddressOnAnyPort() {
    assertEquals(new NodeAddress("10.9.9.9", "0.0.0.0", 0),
        NodeAddress.resolve(null, null, null, 0, RANK1, () -> "10.9.9.9"));
    assertEquals(new NodeAddress("pod.example", "10.1.2.3", 4000),
        NodeAddress.resolve("pod.example", "10.1.2.3", 4000, 0, RANK1, () -> "10.9.9.9"));
  }

  @Test
  void anEmptyOrWildcardHostIsRefusedPointingAtBind() {
    for (String host : new String[] {"", " ", "0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0"}) {
      for (Optional<OperatorEnvironment.Role> role : java.util.List.of(
          Optional.<OperatorEnvironment.Role>empty(), RANK1)) {
        UserError e = assertThrows(UserError.class,
            () -> NodeAddress.resolve(host, null, null, 0, role, () -> "10.9.9.9"), host);
        assertEquals("--host '" + host + "': " + (host.isBlank() ? "empty" : "a wildcard address")
            + "; it must be an address the others can reach this node by (to listen on every "
            + "interface use --bind 0.0.0.0)", e.getMessage());
      }
    }
    assertEquals("--bind '': empty (expected an address of this machine, or 0.0.0.0 for every "
        + "interface)", assertThrows(UserError.class, () -> NodeAddress.resolve(null, "", null,
            0, Optional.empty(), () -> "10.9.9.9")).getMessage());
    // Names are never looked up here, and a specific address is fine.
    assertEquals(new NodeAddress("::1", "::1", 0),
        NodeAddress.resolve("::1", null, null, 0, Optional.empty(), () -> "10.9.9.9"));
    assertEquals(new NodeAddress("nosuch.invalid", "0.0.0.0", 0),
        NodeAddress.resolve("nosuch.invalid", "0.0.0.0", null, 0, Optional.empty(),
            () -> "10.9.9.9"));
  }

  /**
   * A worker whose machine name resolves to loopback (Debian's 127.0.1.1) while its coordinator
   * is at a LAN address is warned; loopback on both sides, a routable own address, or a
   * coordinator named rather than numbered (no lookup here) are not.
   */
  @Test
  void aLoopbackOwnAddressWithARemoteCoordinatorIsWarnedAbout() {
    String w = NodeAddress.loopbackWarning("127.0.1.1", "192.0.2.10").orElseThrow();
    assertEquals(true, w.contains("advertises 127.0.1.1") && w.contains("--host"), w);
    assertEquals(true, NodeAddress.loopbackWarning("::1", "[2001:db8::1]").isPresent());
    assertEquals(Optional.empty(), NodeAddress.loopbackWarning("127.0.0.1", "127.0.0.1"));
    assertEquals(Optional.empty(), NodeAddress.loopbackWarning("10.0.0.5", "192.0.2.10"));
    assertEquals(Optional.empty(), NodeAddress.loopbackWarning("127.0.0.1", "coordinator.svc"));
  }
}
