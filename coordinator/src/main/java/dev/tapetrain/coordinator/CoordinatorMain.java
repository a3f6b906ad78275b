package dev.tapetrain.coordinator;

import akka.actor.typed.ActorSystem;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import dev.tapetrain.coordinator.cli.TrainOptions;
import dev.tapetrain.coordinator.cli.UsageException;
import dev.tapetrain.node.cli.Cli;
import com.typesafe.config.Config;
import dev.tapetrain.node.NodeConfig;
import dev.tapetrain.node.TlsOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
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

  @Option(names = "--workers", defaultValue = "2", paramLabel = "N", order = -3,
      description = "Workers to wait for before training (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST", order = -2,
      description = "Address to bind and advertise to workers (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "2551", paramLabel = "PORT", order = -1,
      description = "Port to listen on (default: ${DEFAULT-VALUE}).")
  int port;

  @Mixin
  TrainOptions train;

  @Mixin
  TlsOptions tls;

  private final PrintStream out;
  private final PrintStream err;

  CoordinatorMain(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** Entry point of the runnable jar. */
  public static void main(String[] args) {
    LoggerFactory.getILoggerFactory();
    System.exit(Cli.execute(new CoordinatorMain(System.out, System.err), args, System.out,
        System.err));
  }

  @Override
  public Integer call() throws InterruptedException {
    NodeConfig.checkPort("--port", port, false);
    if (workers < 1) {
      throw new UsageException("--workers must be at least 1, got " + workers);
    }
    Config tlsConfig = tls.akkaConfig(System.getenv());
    tls.warnIfExposed("coordinator", host, err);
    // Binds the port now (the guard in front of Artery, or Artery itself with TLS), so a taken
    // port is one clear line before any run directory exists.
    try (NodeConfig.Node node = NodeConfig.start(NodeConfig.COORDINATOR_ROLE, host, port,
        tlsConfig)) {
      if (tls.enabled()) {
        requirePortFree();
      }
      return run(node);
    }
  }

  private Integer run(NodeConfig.Node node) throws InterruptedException {
    TrainingListener joins = event -> {
      if (event instanceof TrainingEvent.WorkerJoined j) {
        err.println("worker " + j.up() + "/" + j.expected() + " joined: " + j.worker());
      }
    };
    return TrainingRun.run("coordinator", train, workers, List.of(joins), (spec, coordinator, done) -> {
      ActorSystem<Void> system = ActorSystem.create(
          CoordinatorGuardian.create(coordinator, done, ctx -> {
            Cluster cluster = Cluster.get(ctx.getSystem());
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
          }),
          NodeConfig.SYSTEM,
          node.config());
      err.println("coordinator listening at " + Cluster.get(system).selfMember().address()
          + (tls.enabled() ? " (TLS, mutual authentication)" : "")
          + "; waiting for " + workers + " worker(s): java -jar worker/target/worker.jar --join "
          + host + ":" + port);
      return system;
    }, out, err);
  }

  private void requirePortFree() {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new UsageException("--host " + host + " --port " + port + ": cannot listen there ("
          + e.getMessage() + ")");
    }
  }


}
