package dev.tapetrain.coordinator;

import akka.actor.typed.ActorSystem;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import dev.tapetrain.coordinator.cli.TrainOptions;
import dev.tapetrain.coordinator.cli.UsageException;
import com.typesafe.config.Config;
import dev.tapetrain.node.NodeAddress;
import dev.tapetrain.node.NodeConfig;
import dev.tapetrain.node.OperatorEnvironment;
import dev.tapetrain.node.TlsOptions;
import dev.tapetrain.node.cli.Cli;
import dev.tapetrain.node.cli.LauncherLogging;
import dev.tapetrain.protocol.WireLimits;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code java -jar coordinator.jar --port 2551 --workers N [train options]}: the seed node of a
 * training cluster. Waits until N workers have joined, trains with the same output and run
 * directory as local-runner, tells the workers to stop and exits.
 */
@Command(name = "coordinator", mixinStandardHelpOptions = true, sortOptions = false,
    version = "tapetrain coordinator 0.1.0",
    description = {
        "Coordinate a training cluster: the seed node that workers join with "
            + "'java -jar worker/target/worker.jar --join HOST:PORT'.",
        "Writes runs/<id>/config.json, steps.jsonl and summary.json."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:completed", "1:failed (workers did not join, all workers lost)",
        "2:bad option or data", "3:diverged (non-finite loss)",
        "130:interrupted (Ctrl-C or SIGTERM; resume with --resume RUN_DIR)"})
public final class CoordinatorMain implements Callable<Integer> {

  @Option(names = "--workers", paramLabel = "N", order = -4,
      description = "Workers to wait for before training (default: 2, or what MASTER_ADDR/"
          + "MASTER_PORT/WORLD_SIZE/RANK or TF_CONFIG give when this option is absent).")
  Integer workers;

  @Option(names = "--host", paramLabel = "HOST", order = -3,
      description = "Address the workers reach this node by (default: 127.0.0.1, or "
          + "MASTER_ADDR / TF_CONFIG's chief).")
  String host;

  @Option(names = "--bind", paramLabel = "HOST", order = -2,
      description = "Address to listen on (default: --host; 0.0.0.0, every interface, when the "
          + "environment places this node).")
  String bind;

  @Option(names = "--port", paramLabel = "PORT", order = -1,
      description = "Port to listen on (default: 2551, or MASTER_PORT / TF_CONFIG's chief).")
  Integer port;

  @Mixin
  TrainOptions train;

  @Mixin
  TlsOptions tls;

  /** The default of {@code --port}. */
  static final int DEFAULT_PORT = 2551;
  /** The default of {@code --workers}. */
  static final int DEFAULT_WORKERS = 2;

  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> env;
  private final boolean launched;

  CoordinatorMain(PrintStream out, PrintStream err, Map<String, String> env, boolean launched) {
    this.out = out;
    this.err = err;
    this.env = Map.copyOf(env);
    this.launched = launched;
  }

  /** Entry point of the runnable jar. */
  public static void main(String[] args) {
    LauncherLogging.start(); // tapetrain's logging, before anything logs
    System.exit(run(args, System.getenv(), false, System.out, System.err));
  }

  /**
   * Runs the command line {@code args} in the environment {@code env} and returns the exit code.
   * The environment's cluster variables ({@link OperatorEnvironment}) place this node when
   * {@code launched} (by {@code tapetrain launch}) or when {@code --workers} is absent; an option
   * that contradicts them is refused.
   */
  public static int run(String[] args, Map<String, String> env, boolean launched,
      PrintStream out, PrintStream err) {
    return Cli.execute(new CoordinatorMain(out, err, env, launched), args, out, err);
  }

  /** This command's options, for a launcher that splits one command line between roles. */
  public static picocli.CommandLine.Model.CommandSpec commandSpec() {
    PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
    return new picocli.CommandLine(new CoordinatorMain(quiet, quiet, Map.of(), false))
        .getCommandSpec();
  }

  @Override
  public Integer call() throws InterruptedException {
    Optional<OperatorEnvironment.Role> role = launched || workers == null
        ? OperatorEnvironment.read(env) : Optional.empty();
    if (role.isPresent()) {
      OperatorEnvironment.Role r = role.get();
      if (r.kind() != OperatorEnvironment.Kind.COORDINATOR) {
        throw new UsageException(r.origin() + " makes this process a worker "
            + "(run 'tapetrain launch' or 'tapetrain worker' there)");
      }
      r.agree("--workers", workers, r.workers(), OperatorEnvironment.Fact.WORKERS);
      // An operator restarts a failed pod with the same command line and volume: it continues
      // the run in its --run-dir instead of refusing the directory it made before.
      train.resumeIfExistsWhenPlaced();
    }
    int expected = workers != null ? workers
        : role.map(OperatorEnvironment.Role::workers).orElse(DEFAULT_WORKERS);
    if (port != null) {
      NodeConfig.checkPort("--port", port, false);
    }
    NodeAddress address = NodeAddress.resolve(host, bind, port, DEFAULT_PORT, role,
        () -> NodeAddress.LOOPBACK);
    TrainOptions.checkWorkers(expected);
    Config tlsConfig = tls.akkaConfig(env);
    // Checked now (an unknown --host or --bind), told once the options are valid (run below):
    // bad input stays one line.
    Optional<String> exposure = tls.exposure("coordinator", address);
    // Binds the port now (the guard in front of Artery), so a taken port is one clear line
    // before any run directory exists.
    try (NodeConfig.Node node = NodeConfig.start(NodeConfig.COORDINATOR_ROLE, address,
        tlsConfig)) {
      // The workers' parameters must fit one message on this cluster's wire.
      train.limitModelSize(values -> WireLimits.checkModel(values, node.config()));
      train.limitDataSize(bytes -> WireLimits.checkDataset(bytes, node.config()));
      return run(node, address, expected, role.map(r -> " (" + r.origin() + ")").orElse(""),
          role.isEmpty() && !launched, exposure);
    }
  }

  /**
   * An explicit {@code --workers} keeps the environment from placing this coordinator; when the
   * environment would have (an operator's pod), says so in one line: its workers, placed by it,
   * would otherwise look for the coordinator where it is not listening (a new user's pod waited
   * 120 s and failed, 2026-12-07).
   */
  private void noteUnusedEnvironment() {
    Optional<OperatorEnvironment.Role> would;
    try {
      would = OperatorEnvironment.read(env);
    } catch (dev.tapetrain.spi.UserError partial) {
      return; // not an operator's complete description: nothing it would have placed
    }
    would.ifPresent(r -> err.println("coordinator: note: --workers is given, so "
        + r.origin(OperatorEnvironment.Fact.ROLE) + " does not place this coordinator: it "
        + "listens at its own --host/--port, not at " + r.coordinatorHost() + ":"
        + r.coordinatorPort() + " where workers placed by the environment look for it (drop "
        + "--workers, or run 'tapetrain launch')"));
  }

  /**
   * How a worker joins this coordinator, in the form this process was started with: the
   * launcher ({@code bin/tapetrain} sets {@code tapetrain.launcher}) or the jar; with TLS, the
   * worker needs the same kind of options.
   */
  private String joinHint(NodeAddress address, String placed) {
    if (!placed.isEmpty()) {
      return "workers placed by the same environment join by themselves (tapetrain launch)";
    }
    String worker = System.getProperty("tapetrain.launcher") != null ? "tapetrain worker"
        : "java -jar worker/target/worker.jar";
    return worker + " --join " + address.host() + ":" + address.port()
        + (tls.enabled() ? " with its own --tls-keystore, --tls-truststore and passwords" : "");
  }

  private Integer run(NodeConfig.Node node, NodeAddress address, int workers, String placed,
      boolean unplaced, Optional<String> exposure) throws InterruptedException {
    TrainingListener joins = event -> {
      if (event instanceof TrainingEvent.WorkerJoined j) {
        err.println("worker " + j.up() + "/" + j.expected() + " joined: " + j.worker());
      }
    };
    return TrainingRun.run("coordinator", train, workers, List.of(joins), (spec, coordinator, done) -> {
      exposure.ifPresent(err::println);
      if (unplaced) {
        noteUnusedEnvironment();
      }
      ActorSystem<Void> system = ActorSystem.create(
          CoordinatorGuardian.create(coordinator, done, ctx -> {
            Cluster cluster = Cluster.get(ctx.getSystem());
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
          }),
          NodeConfig.SYSTEM,
          node.config());
      err.println("coordinator listening at " + Cluster.get(system).selfMember().address()
          + placed + (tls.enabled() ? " (TLS, mutual authentication)" : "")
          + "; waiting for " + workers + " worker(s): " + joinHint(address, placed));
      return system;
    }, out, err);
  }
}
