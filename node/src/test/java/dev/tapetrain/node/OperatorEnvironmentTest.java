package dev.tapetrain.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.node.OperatorEnvironment.Kind;
import dev.tapetrain.node.OperatorEnvironment.Role;
import dev.tapetrain.spi.UserError;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OperatorEnvironmentTest {

  private static Map<String, String> torch(String rank) {
    return Map.of("MASTER_ADDR", "job-master-0", "MASTER_PORT", "23456", "WORLD_SIZE", "3",
        "RANK", rank);
  }

  private static Role read(Map<String, String> env) {
    return OperatorEnvironment.read(env).orElseThrow();
  }

  private static String refusal(Map<String, String> env) {
    String message = assertThrows(UserError.class, () -> OperatorEnvironment.read(env))
        .getMessage();
    assertEquals(1, message.lines().count(), message);
    return message;
  }

  @Test
  void noVariablesMeansNoRole() {
    assertEquals(Optional.empty(), OperatorEnvironment.read(Map.of("HOME", "/root")));
    assertEquals(Optional.empty(), OperatorEnvironment.read(Map.of("TF_CONFIG", " ")));
  }

  @Test
  void rankZeroCoordinatesTheOtherRanks() {
    Role r = read(torch("0"));
    assertEquals(Kind.COORDINATOR, r.kind());
    assertEquals(2, r.workers());
    assertEquals("job-master-0", r.coordinatorHost());
    assertEquals(23456, r.coordinatorPort());
    assertEquals(Optional.of("job-master-0"), r.ownHost());
    assertEquals(Optional.of(23456), r.ownPort());
    assertEquals("WORLD_SIZE=3", r.workersOrigin());
  }

  @Test
  void otherRanksJoinTheMaster() {
    Role r = read(torch("2"));
    assertEquals(Kind.WORKER, r.kind());
    assertEquals("job-master-0:23456", r.join());
    assertEquals(Optional.empty(), r.ownHost());
    assertEquals("RANK=2", r.origin());
  }

  @Test
  void torchVariablesAreCheckedByName() {
    Map<String, String> partial = Map.of("MASTER_ADDR", "m", "RANK", "1");
    assertEquals("MASTER_ADDR is set but MASTER_PORT, WORLD_SIZE are not; a cluster needs all "
        + "of MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK", refusal(partial));
    assertEquals("RANK=3 is outside 0 to 2 (WORLD_SIZE=3)", refusal(torch("3")));
    assertEquals("RANK=-1 is outside 0 to 2 (WORLD_SIZE=3)", refusal(torch("-1")));
    assertEquals("RANK=one is not a whole number", refusal(torch("one")));
    Map<String, String> env = new HashMap<>(torch("0"));
    env.put("MASTER_PORT", "70000");
    assertEquals("MASTER_PORT=70000 is not a port (1 to 65535)", refusal(env));
    env = new HashMap<>(torch("0"));
    env.put("WORLD_SIZE", "1");
    assertTrue(refusal(env).startsWith("WORLD_SIZE=1: a run needs the coordinator (rank 0) and "
        + "at least one worker"));
    env = new HashMap<>(torch("0"));
    env.put("TF_CONFIG", "{}");
    assertEquals("both TF_CONFIG and MASTER_ADDR are set; the environment must describe one "
        + "cluster (unset one of them)", refusal(env));
  }

  private static Map<String, String> tf(String json) {
    return Map.of("TF_CONFIG", json);
  }

  private static final String CLUSTER = "{\"chief\": [\"job-chief-0.ns.svc:2222\"], "
      + "\"worker\": [\"job-worker-0.ns.svc:2222\", \"job-worker-1.ns.svc:2223\"]}";

  @Test
  void theChiefCoordinatesTheWorkers() {
    Role chief = read(tf("{\"cluster\": " + CLUSTER
        + ", \"task\": {\"type\": \"chief\", \"index\": 0}}"));
    assertEquals(Kind.COORDINATOR, chief.kind());
    assertEquals(2, chief.workers());
    assertEquals("job-chief-0.ns.svc:2222", chief.join());
    assertEquals(Optional.of(2222), chief.ownPort());

    Role worker = read(tf("{\"cluster\": " + CLUSTER
        + ", \"task\": {\"type\": \"worker\", \"index\": 1}}"));
    assertEquals(Kind.WORKER, worker.kind());
    assertEquals("job-chief-0.ns.svc:2222", worker.join());
    assertEquals(Optional.of("job-worker-1.ns.svc"), worker.ownHost());
    assertEquals(Optional.of(2223), worker.ownPort());
    assertEquals("TF_CONFIG (task worker 1)", worker.origin());
  }

  @Test
  void withoutAChiefWorkerZeroCoordinates() {
    String cluster = "{\"worker\": [\"w0:2222\", \"w1:2222\", \"w2:2222\"]}";
    Role first = read(tf("{\"cluster\": " + cluster + ", \"task\": {\"type\": \"worker\", "
        + "\"index\": 0}}"));
    assertEquals(Kind.COORDINATOR, first.kind());
    assertEquals(2, first.workers());
    Role second = read(tf("{\"cluster\": " + cluster + ", \"task\": {\"type\": \"worker\", "
        + "\"index\": 2}}"));
    assertEquals(Kind.WORKER, second.kind());
    assertEquals("w0:2222", second.join());
    assertEquals(Optional.of("w2"), second.ownHost());
    // Old TFJobs call the chief 'master'.
    Role master = read(tf("{\"cluster\": {\"master\": [\"m:1\"], \"worker\": [\"w:2\"]}, "
        + "\"task\": {\"type\": \"master\", \"index\": 0}}"));
    assertEquals(Kind.COORDINATOR, master.kind());
    assertEquals(1, master.workers());
  }

  @Test
  void badTfConfigsAreRefusedByName() {
    assertTrue(refusal(tf("{\"cluster\": ")).startsWith("TF_CONFIG is not valid JSON: "));
    // A truncated object: Jackson's words without its internals (a new-user round, 2026-12-07).
    String truncated = refusal(tf("{\"cluster\":{\"worker\":[\"127.0.0.1:1\"]}"));
    assertTrue(truncated.startsWith("TF_CONFIG is not valid JSON: Unexpected end-of-input"),
        truncated);
    assertFalse(truncated.contains("Source") || truncated.contains("StreamReadFeature"),
        truncated);
    assertTrue(refusal(tf("[1]")).startsWith("TF_CONFIG must be a JSON object"));
    assertTrue(refusal(tf("{\"cluster\": {}}")).startsWith("TF_CONFIG needs 'cluster'"));
    assertEquals("TF_CONFIG: task type 'ps' is not supported; tapetrain has a chief (the "
        + "coordinator) and workers only", refusal(tf("{\"cluster\": " + CLUSTER
        + ", \"task\": {\"type\": \"ps\", \"index\": 0}}")));
    assertEquals("TF_CONFIG: task type 'evaluator' is not supported; tapetrain has a chief (the "
        + "coordinator) and workers only", refusal(tf("{\"cluster\": " + CLUSTER
        + ", \"task\": {\"type\": \"evaluator\", \"index\": 0}}")));
    assertTrue(refusal(tf("{\"cluster\": {\"ps\": [\"p:1\"], \"worker\": [\"w:1\", \"v:1\"]}, "
        + "\"task\": {\"type\": \"worker\", \"index\": 0}}"))
        .startsWith("TF_CONFIG: the cluster has 'ps' tasks"));
    assertEquals("TF_CONFIG: task worker 2 is not in the cluster (2 worker task(s))",
        refusal(tf("{\"cluster\": " + CLUSTER + ", \"task\": {\"type\": \"worker\", "
            + "\"index\": 2}}")));
    assertEquals("TF_CONFIG: cluster.worker: 'w0' is not HOST:PORT",
        refusal(tf("{\"cluster\": {\"worker\": [\"w0\"]}, \"task\": {\"type\": \"worker\", "
            + "\"index\": 0}}")));
    assertEquals("TF_CONFIG: the cluster has no worker besides its coordinator (w0:1)",
        refusal(tf("{\"cluster\": {\"worker\": [\"w0:1\"]}, \"task\": {\"type\": \"worker\", "
            + "\"index\": 0}}")));
    assertEquals("TF_CONFIG: task.index must be a number, got \"one\"",
        refusal(tf("{\"cluster\": " + CLUSTER + ", \"task\": {\"type\": \"worker\", "
            + "\"index\": \"one\"}}")));
    String missing = "TF_CONFIG: task.index is missing (the task's position in the cluster's "
        + "list of its type, e.g. \"task\": {\"type\": \"worker\", \"index\": 0})";
    assertEquals(missing, refusal(tf("{\"cluster\": " + CLUSTER + ", \"task\": {\"type\": "
        + "\"worker\"}}")));
    assertEquals(missing, refusal(tf("{\"cluster\": " + CLUSTER + ", \"task\": {\"type\": "
        + "\"worker\", \"index\": null}}")));
  }
}
