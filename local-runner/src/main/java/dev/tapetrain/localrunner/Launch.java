package dev.tapetrain.localrunner;

import dev.tapetrain.coordinator.CoordinatorMain;
import dev.tapetrain.node.OperatorEnvironment;
import dev.tapetrain.node.cli.Cli;
import dev.tapetrain.node.cli.LauncherLogging;
import dev.tapetrain.spi.UserError;
import dev.tapetrain.worker.WorkerMain;
import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tapetrain launch [options]}: the role a Kubernetes operator's variables give this
 * process ({@link OperatorEnvironment}), with the options of a coordinator and a worker both, so
 * that every pod of a job can run one command: the coordinator takes the training options and
 * ignores a worker's ({@code --join-timeout}, {@code --coordinator-timeout}); a worker ignores
 * the training options (the coordinator checks them and sends the run's settings). Options both
 * take ({@code --host}, {@code --bind}, {@code --port}, TLS) reach either.
 */
public final class Launch {

  private Launch() {}

  /** Entry point: {@code bin/tapetrain launch}. */
  public static void main(String[] args) {
    LauncherLogging.start(); // tapetrain's logging, before anything logs
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  /** Runs the role {@code env} gives with {@code args}; returns the exit code. */
  public static int run(String[] args, Map<String, String> env, PrintStream out,
      PrintStream err) {
    if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
      out.println("usage: tapetrain launch [coordinator and worker options]");
      out.println("Runs the coordinator or a worker, as MASTER_ADDR, MASTER_PORT, WORLD_SIZE and "
          + "RANK (PyTorchJob, torchrun) or TF_CONFIG (TFJob) say; see 'tapetrain coordinator "
          + "--help' and 'tapetrain worker --help' for the options.");
      out.println();
      out.println("Exit codes: its role's (see those --help). An operator's restart policy may "
          + "retry 128 and above (a signal: 130, 137) and stop on 1-127: 2 is a bad option, data "
          + "or environment, 1 a failed run or a worker that could not join, 3 a diverged run.");
      return 0;
    }
    Optional<OperatorEnvironment.Role> role;
    try {
      role = OperatorEnvironment.read(env);
    } catch (UserError e) {
      err.println("launch: " + e.getMessage());
      return Cli.USAGE;
    }
    if (role.isEmpty()) {
      err.println("launch: no cluster in the environment: set MASTER_ADDR, MASTER_PORT, "
          + "WORLD_SIZE and RANK (PyTorchJob, torchrun) or TF_CONFIG (TFJob)");
      return Cli.USAGE;
    }
    CommandSpec coordinator = CoordinatorMain.commandSpec();
    CommandSpec worker = WorkerMain.commandSpec();
    if (role.get().kind() == OperatorEnvironment.Kind.COORDINATOR) {
      return CoordinatorMain.run(LaunchOptions.keep(args, coordinator, worker), env, true, out,
          err);
    }
    return WorkerMain.run(LaunchOptions.keep(args, worker, coordinator), env, true, out, err);
  }
}
