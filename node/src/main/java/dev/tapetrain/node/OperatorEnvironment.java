package dev.tapetrain.node;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tapetrain.spi.UserError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The role Kubernetes operators and launchers give a process through its environment, read
 * without side effects (tested with plain maps):
 *
 * <ul>
 *   <li>{@code MASTER_ADDR}, {@code MASTER_PORT}, {@code WORLD_SIZE}, {@code RANK} (Kubeflow's
 *       PyTorchJob, {@code torchrun}, an indexed Job): rank 0 is the coordinator, listening on
 *       {@code MASTER_PORT} and reached as {@code MASTER_ADDR}; every other rank is a worker
 *       joining it; {@code WORLD_SIZE − 1} workers are expected.
 *   <li>{@code TF_CONFIG} (Kubeflow's TFJob, {@code tf.distribute}): the {@code chief} task (or
 *       {@code master}, its old name) is the coordinator if there is one, else worker 0; every
 *       task listens on the port of its own address in {@code cluster} and is reached by that
 *       address. {@code ps} and {@code evaluator} tasks are refused: tapetrain has neither.
 * </ul>
 *
 * <p>Every problem is a {@link UserError} naming the variable and its value.
 */
public final class OperatorEnvironment {

  /** The variables of the PyTorch convention, in the order they are reported missing. */
  static final List<String> TORCH = List.of("MASTER_ADDR", "MASTER_PORT", "WORLD_SIZE", "RANK");

  private OperatorEnvironment() {}

  /** What this process is in the cluster the environment describes. */
  public enum Kind {
    /** The coordinator (rank 0, or TF_CONFIG's chief). */
    COORDINATOR,
    /** A worker. */
    WORKER
  }

  /** What an option may contradict, for {@link Role#origin(Fact)}. */
  public enum Fact {
    /** Coordinator or worker. */
    ROLE,
    /** The address this process is reached by. */
    HOST,
    /** The port this process listens on. */
    PORT,
    /** The coordinator's address, for a worker. */
    JOIN,
    /** The workers the coordinator waits for. */
    WORKERS
  }

  /**
   * This process's place in the cluster.
   *
   * @param kind            coordinator or worker
   * @param coordinatorHost the address every worker joins (and the coordinator advertises)
   * @param coordinatorPort the coordinator's port
   * @param workers         workers the coordinator waits for
   * @param ownHost         the address others reach this process by, if the environment says
   *                        (TF_CONFIG does; for a coordinator it is {@code coordinatorHost})
   * @param ownPort         the port this process listens on, if the environment says
   * @param origin          where each fact came from, for messages: {@code "RANK=1"},
   *                        {@code "TF_CONFIG (task worker 1)"}
   * @param workersOrigin   where {@code workers} came from, for messages
   */
  public record Role(Kind kind, String coordinatorHost, int coordinatorPort, int workers,
      Optional<String> ownHost, Optional<Integer> ownPort, String origin,
      String workersOrigin) {

    /**
     * Which variable gives {@code fact}, for messages: {@code MASTER_PORT=23456}; for
     * TF_CONFIG, which says everything, {@link #origin}.
     */
    public String origin(Fact fact) {
      if (!origin.startsWith("RANK=")) {
        return origin;
      }
      return switch (fact) {
        case ROLE -> origin;
        case HOST -> "MASTER_ADDR=" + coordinatorHost;
        case PORT -> "MASTER_PORT=" + coordinatorPort;
        case JOIN -> "MASTER_ADDR=" + coordinatorHost + " and MASTER_PORT=" + coordinatorPort;
        case WORKERS -> workersOrigin;
      };
    }

    /**
     * Refuses an option that contradicts the environment: {@code given} (not null) against
     * {@code expected}, the value the environment gives {@code fact}.
     *
     * @throws UserError naming both, e.g. {@code --port 2551 contradicts MASTER_PORT=23456}
     */
    public void agree(String option, Object given, Object expected, Fact fact) {
      if (given != null && !given.equals(expected)) {
        String from = origin(fact);
        throw new UserError(option + " " + given + " contradicts " + from
            + (from.endsWith("=" + expected) ? "" : ", which gives " + expected));
      }
    }

    /** {@code HOST:PORT} of the coordinator, as a worker's {@code --join} takes it. */
    public String join() {
      return (coordinatorHost.contains(":") ? "[" + coordinatorHost + "]" : coordinatorHost)
          + ":" + coordinatorPort;
    }
  }

  /**
   * The role {@code env} gives this process, or empty if it sets neither convention's
   * variables.
   *
   * @throws UserError naming the variable if the variables are incomplete, malformed or
   *     contradict each other
   */
  public static Optional<Role> read(Map<String, String> env) {
    String tfConfig = value(env, "TF_CONFIG");
    List<String> torchSet = TORCH.stream().filter(v -> value(env, v) != null).toList();
    if (tfConfig != null && !torchSet.isEmpty()) {
      throw new UserError("both TF_CONFIG and " + torchSet.get(0) + " are set; the environment "
          + "must describe one cluster (unset one of them)");
    }
    if (tfConfig != null) {
      return Optional.of(fromTfConfig(tfConfig));
    }
    if (!torchSet.isEmpty()) {
      return Optional.of(fromTorch(env, torchSet));
    }
    return Optional.empty();
  }

  private static Role fromTorch(Map<String, String> env, List<String> set) {
    List<String> missing = new ArrayList<>(TORCH);
    missing.removeAll(set);
    if (!missing.isEmpty()) {
      throw new UserError(set.get(0) + " is set but " + String.join(", ", missing)
          + (missing.size() == 1 ? " is" : " are") + " not; a cluster needs all of "
          + String.join(", ", TORCH));
    }
    String host = value(env, "MASTER_ADDR");
    checkHost("MASTER_ADDR", host);
    int port = integer(env, "MASTER_PORT");
    if (port < 1 || port > 65535) {
      throw new UserError("MASTER_PORT=" + port + " is not a port (1 to 65535)");
    }
    int world = integer(env, "WORLD_SIZE");
    if (world < 2) {
      throw new UserError("WORLD_SIZE=" + world + ": a run needs the coordinator (rank 0) and "
          + "at least one worker, so WORLD_SIZE must be at least 2");
    }
    int rank = integer(env, "RANK");
    if (rank < 0 || rank >= world) {
      throw new UserError("RANK=" + rank + " is outside 0 to " + (world - 1) + " (WORLD_SIZE="
          + world + ")");
    }
    String workersOrigin = "WORLD_SIZE=" + world;
    if (rank == 0) {
      return new Role(Kind.COORDINATOR, host, port, world - 1, Optional.of(host),
          Optional.of(port), "RANK=0", workersOrigin);
    }
    return new Role(Kind.WORKER, host, port, world - 1, Optional.empty(), Optional.empty(),
        "RANK=" + rank, workersOrigin);
  }

  private static Role fromTfConfig(String json) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (JsonProcessingException e) {
      // Jackson's own words without where it keeps the source ("(start marker at [Source:
      // REDACTED (`StreamReadFeature…` disabled); line: 1, …])"): the line and column follow.
      String why = e.getOriginalMessage().lines().findFirst().orElse("")
          .replaceFirst("\\s*\\(start marker at .*$", "");
      throw new UserError("TF_CONFIG is not valid JSON: " + why + " (line "
          + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
    }
    if (root == null || !root.isObject()) {
      throw new UserError("TF_CONFIG must be a JSON object with 'cluster' and 'task', got "
          + abbreviate(json));
    }
    JsonNode cluster = root.path("cluster");
    JsonNode task = root.path("task");
    if (!cluster.isObject() || !task.isObject()) {
      throw new UserError("TF_CONFIG needs 'cluster' (an object) and 'task' (an object), got "
          + abbreviate(json));
    }
    for (String refused : List.of("ps", "evaluator")) {
      if (cluster.has(refused)) {
        throw new UserError("TF_CONFIG: the cluster has '" + refused + "' tasks; tapetrain has "
            + "no " + (refused.equals("ps") ? "parameter servers" : "evaluator") + " (give it "
            + "a chief and workers only)");
      }
    }
    String type = task.path("type").asText("");
    if (type.equals("ps") || type.equals("evaluator")) {
      throw new UserError("TF_CONFIG: task type '" + type + "' is not supported; tapetrain has "
          + "a chief (the coordinator) and workers only");
    }
    List<String> chiefs = addresses(cluster, "chief");
    if (chiefs.isEmpty()) {
      chiefs = addresses(cluster, "master");
    }
    List<String> workers = addresses(cluster, "worker");
    if (chiefs.size() > 1) {
      throw new UserError("TF_CONFIG: the cluster has " + chiefs.size() + " chief tasks; "
          + "at most one can coordinate");
    }
    if (chiefs.isEmpty() && workers.isEmpty()) {
      throw new UserError("TF_CONFIG: the cluster lists no 'chief' or 'worker' task");
    }
    String chiefType = cluster.has("chief") ? "chief" : "master";
    boolean hasChief = !chiefs.isEmpty();
    String coordinator = hasChief ? chiefs.get(0) : workers.get(0);
    int expected = hasChief ? workers.size() : workers.size() - 1;
    if (expected < 1) {
      throw new UserError("TF_CONFIG: the cluster has no worker besides its coordinator ("
          + coordinator + ")");
    }
    if (task.path("index").isMissingNode() || task.path("index").isNull()) {
      // It printed "must be a number, got " with nothing after it.
      throw new UserError("TF_CONFIG: task.index is missing (the task's position in the "
          + "cluster's list of its type, e.g. \"task\": {\"type\": \"worker\", "
          + "\"index\": 0})");
    }
    if (!task.path("index").canConvertToInt() || !task.path("index").isIntegralNumber()) {
      throw new UserError("TF_CONFIG: task.index must be a number, got "
          + task.path("index"));
    }
    int index = task.path("index").asInt();
    List<String> ofType;
    switch (type) {
      case "chief", "master" -> ofType = chiefs;
      case "worker" -> ofType = workers;
      default -> throw new UserError("TF_CONFIG: task type '" + type + "' is not one of chief, "
          + "worker");
    }
    if (index < 0 || index >= ofType.size()) {
      throw new UserError("TF_CONFIG: task " + type + " " + index + " is not in the cluster ("
          + ofType.size() + " " + type + " task(s))");
    }
    String self = ofType.get(index);
    String origin = "TF_CONFIG (task " + type + " " + index + ")";
    String workersOrigin = "TF_CONFIG (" + workers.size() + " worker task(s)"
        + (hasChief ? " and a " + chiefType : ", worker 0 coordinating") + ")";
    String[] coordinatorAddress = hostPort(coordinator);
    String[] own = hostPort(self);
    boolean coordinates = hasChief ? !type.equals("worker") : index == 0;
    return new Role(coordinates ? Kind.COORDINATOR : Kind.WORKER, coordinatorAddress[0],
        Integer.parseInt(coordinatorAddress[1]), expected, Optional.of(own[0]),
        Optional.of(Integer.parseInt(own[1])), origin, workersOrigin);
  }

  private static List<String> addresses(JsonNode cluster, String type) {
    JsonNode list = cluster.path(type);
    if (list.isMissingNode()) {
      return List.of();
    }
    if (!list.isArray()) {
      throw new UserError("TF_CONFIG: cluster." + type + " must be a list of \"HOST:PORT\", got "
          + list);
    }
    List<String> out = new ArrayList<>();
    for (JsonNode a : list) {
      if (!a.isTextual()) {
        throw new UserError("TF_CONFIG: cluster." + type + " holds " + a + ", not \"HOST:PORT\"");
      }
      hostPort(a.asText(), "TF_CONFIG: cluster." + type);
      out.add(a.asText());
    }
    return out;
  }

  private static String[] hostPort(String address) {
    return hostPort(address, "TF_CONFIG");
  }

  /** {@code [host, port]} of {@code HOST:PORT} ({@code [v6]:PORT} too). */
  private static String[] hostPort(String address, String where) {
    int colon = address.lastIndexOf(':');
    String host = colon > 0 ? address.substring(0, colon) : "";
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (host.isEmpty() || port < 1 || port > 65535) {
      throw new UserError(where + ": '" + address + "' is not HOST:PORT");
    }
    return new String[] {host, Integer.toString(port)};
  }

  private static void checkHost(String variable, String host) {
    if (host.contains(" ") || host.contains("/")) {
      throw new UserError(variable + "=" + host + " is not a host name or address");
    }
  }

  private static int integer(Map<String, String> env, String variable) {
    String v = value(env, variable);
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new UserError(variable + "=" + v + " is not a whole number");
    }
  }

  /** The variable's value, trimmed; null if unset or blank. */
  private static String value(Map<String, String> env, String variable) {
    String v = env.get(variable);
    return v == null || v.isBlank() ? null : v.strip();
  }

  private static String abbreviate(String s) {
    String one = s.replaceAll("\\s+", " ").strip();
    return one.length() > 60 ? one.substring(0, 57) + "…" : one;
  }
}
