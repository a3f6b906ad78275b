package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The manifests of {@code deploy/kubernetes/} parse as YAML (SnakeYAML, safe loading, no
 * duplicate keys) and hang together: what {@code tapetrain launch} reads is set, the names that
 * must match match. No Kubernetes schema check installs offline here; this checks what a typo
 * would break.
 */
class DeployManifestsTest {

  private static final Path DIR = Path.of("..", "deploy", "kubernetes");

  private static List<Map<String, Object>> load(String file) throws IOException {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : new Yaml(new SafeConstructor(options))
        .loadAll(Files.readString(DIR.resolve(file)))) {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) doc;
      assertNotNull(m.get("apiVersion"), file);
      assertNotNull(m.get("kind"), file);
      assertNotNull(at(m, "metadata", "name"), file);
      docs.add(m);
    }
    return docs;
  }

  @SuppressWarnings("unchecked")
  private static Object at(Object node, Object... path) {
    for (Object key : path) {
      node = key instanceof Integer i ? ((List<Object>) node).get(i)
          : ((Map<String, Object>) node).get(key);
      if (node == null) {
        return null;
      }
    }
    return node;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> env(Object container) {
    return ((List<Map<String, Object>>) at(container, "env")).stream().collect(
        Collectors.toMap(e -> (String) e.get("name"),
            e -> e.containsKey("value") ? e.get("value") : e.get("valueFrom")));
  }

  @Test
  void everyManifestIsChecked() throws IOException {
    try (var files = Files.list(DIR)) {
      assertEquals(List.of("job.yaml", "pytorchjob.yaml"),
          files.map(f -> f.getFileName().toString()).sorted().toList());
    }
  }

  @Test
  void theIndexedJobGivesEveryPodItsRankAndRankZeroAName() throws IOException {
    List<Map<String, Object>> docs = load("job.yaml");
    Map<String, Object> service = docs.get(0);
    Map<String, Object> job = docs.get(1);
    assertEquals(List.of("Service", "Job"), List.of(service.get("kind"), job.get("kind")));
    assertEquals("None", at(service, "spec", "clusterIP"));
    String jobName = (String) at(job, "metadata", "name");
    assertEquals(jobName, at(service, "spec", "selector", "job-name"));
    assertEquals("Indexed", at(job, "spec", "completionMode"));
    Object container = at(job, "spec", "template", "spec", "containers", 0);
    Map<String, Object> env = env(container);
    // Pod i is <job>-i in the Service's subdomain: MASTER_ADDR must name pod 0 there.
    assertEquals(at(service, "metadata", "name"), at(job, "spec", "template", "spec",
        "subdomain"));
    assertEquals(jobName + "-0." + at(service, "metadata", "name"), env.get("MASTER_ADDR"));
    int world = Integer.parseInt((String) env.get("WORLD_SIZE"));
    assertEquals(world, at(job, "spec", "completions"));
    assertEquals(world, at(job, "spec", "parallelism"));
    assertEquals(at(service, "spec", "ports", 0, "port"),
        Integer.parseInt((String) env.get("MASTER_PORT")));
    assertEquals("metadata.annotations['batch.kubernetes.io/job-completion-index']",
        at(env.get("RANK"), "fieldRef", "fieldPath"));
    assertEquals(List.of("bin/tapetrain", "launch"), at(container, "command"));
    assertLaunchAccepts(at(container, "args"));
  }

  @Test
  void thePyTorchJobRunsLaunchInContainersTheOperatorRecognises() throws IOException {
    Map<String, Object> job = load("pytorchjob.yaml").get(0);
    assertEquals("kubeflow.org/v1", job.get("apiVersion"));
    assertEquals("PyTorchJob", job.get("kind"));
    for (String replica : List.of("Master", "Worker")) {
      Object spec = at(job, "spec", "pytorchReplicaSpecs", replica);
      Object container = at(spec, "template", "spec", "containers", 0);
      assertEquals("pytorch", at(container, "name"), replica);
      assertEquals(List.of("bin/tapetrain", "launch"), at(container, "command"), replica);
      assertLaunchAccepts(at(container, "args"));
    }
    assertEquals(1, at(job, "spec", "pytorchReplicaSpecs", "Master", "replicas"));
    assertEquals("pytorchjob-port", at(job, "spec", "pytorchReplicaSpecs", "Master", "template",
        "spec", "containers", 0, "ports", 0, "name"));
  }

  @Test
  void everyPodMayWriteAFreshVolumeAsTheImagesUser() throws IOException {
    // A claim's root is root's, mode 755: without fsGroup the image's user cannot make the run
    // directory (a new user's reading of the manifests, 2026-12-07).
    String user = Files.readAllLines(Path.of("..", "deploy", "container", "Containerfile"))
        .stream().filter(l -> l.startsWith("USER ")).findFirst().orElseThrow()
        .substring(5).split(":")[1];
    Map<String, Object> job = load("job.yaml").get(1);
    assertEquals(Integer.parseInt(user), at(job, "spec", "template", "spec", "securityContext",
        "fsGroup"));
    Map<String, Object> torch = load("pytorchjob.yaml").get(0);
    for (String replica : List.of("Master", "Worker")) {
      assertEquals(Integer.parseInt(user), at(torch, "spec", "pytorchReplicaSpecs", replica,
          "template", "spec", "securityContext", "fsGroup"), replica);
    }
    // Bad options (2) must not restart the coordinator's pod for ever; a signal's codes do.
    assertEquals("ExitCode", at(torch, "spec", "pytorchReplicaSpecs", "Master",
        "restartPolicy"));
  }

  @Test
  void everyContainerHasAMemoryLimitAndAHeapThatFollowsIt() throws IOException {
    // Without a limit a pod may take a node's memory; without MaxRAMPercentage the JVM takes a
    // quarter of the limit for its heap (a new user's reading of pytorchjob.yaml, 2026-12-07).
    List<Object> containers = new ArrayList<>();
    containers.add(at(load("job.yaml").get(1), "spec", "template", "spec", "containers", 0));
    Map<String, Object> torch = load("pytorchjob.yaml").get(0);
    for (String replica : List.of("Master", "Worker")) {
      containers.add(at(torch, "spec", "pytorchReplicaSpecs", replica, "template", "spec",
          "containers", 0));
    }
    for (Object c : containers) {
      assertNotNull(at(c, "resources", "limits", "memory"), c.toString());
      assertNotNull(at(c, "resources", "requests", "cpu"), c.toString());
      assertTrue(String.valueOf(env(c).get("JAVA_OPTS")).contains("-XX:MaxRAMPercentage="),
          c.toString());
    }
  }

  /** Every option in {@code args} is one the coordinator or the worker takes. */
  @SuppressWarnings("unchecked")
  private static void assertLaunchAccepts(Object args) {
    for (String a : (List<String>) args) {
      if (a.startsWith("--")) {
        assertTrue(dev.tapetrain.coordinator.CoordinatorMain.commandSpec().findOption(a) != null
            || dev.tapetrain.worker.WorkerMain.commandSpec().findOption(a) != null, a);
      }
    }
  }
}
