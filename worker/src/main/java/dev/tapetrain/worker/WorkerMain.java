package dev.tapetrain.worker;

import akka.actor.Address;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.JoinSeedNodes;
import com.typesafe.config.ConfigFactory;
import dev.tapetrain.node.NodeAddress;
import dev.tapetrain.node.NodeConfig;
import dev.tapetrain.node.OperatorEnvironment;
import dev.tapetrain.node.QuietJoins;
import dev.tapetrain.node.TlsOptions;
import dev.tapetrain.node.cli.Cli;
import dev.tapetrain.node.cli.LauncherLogging;
import dev.tapetrain.protocol.WorkerProtocol;
import dev.tapetrain.spi.UserError;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code java -jar worker.jar --join HOST:PORT}: a worker process. Joins the coordinator's
 * cluster, registers with the Receptionist, serves the coordinator and exits 0 when the job ends.
 *
 * <p>It rides out network trouble: while the coordinator is unreachable it waits, up to the
 * longer of {@code --coordinator-timeout} and the coordinator's {@code --rejoin-timeout} plus
 * its downing time (told at admission; see {@link RejoinPolicy}); once the coordinator removed
 * it from the cluster after a long partition, it starts a fresh actor system and joins again (at
 * most {@value #MAX_REJOINS} times). It exits non-zero
 * if it cannot join, if the coordinator leaves or stays unreachable too long, or if the
 * coordinator refuses it, with one line saying which.
 */
@Command(name = "worker", mixinStandardHelpOptions = true, sortOptions = false,
    version = "tapetrain worker 0.1.0",
    description = "Join a tapetrain cluster and compute gradients for its coordinator.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the job completed (or converged)", "1:could not join, the coordinator "
        + "disappeared or refused this worker, or the job ended otherwise", "2:bad option",
        "130:stopped by a signal (Ctrl-C or SIGTERM), after leaving the cluster"})
public final class WorkerMain implements Callable<Integer> {

  /** How often a worker downed by its coordinator starts over before it gives up. */
  static final int MAX_REJOINS = 5;

  @Option(names = "--join", paramLabel = "HOST:PORT",
      description = "The coordinator's address, as printed by the coordinator (default: what "
          + "MASTER_ADDR/MASTER_PORT/WORLD_SIZE/RANK or TF_CONFIG give).")
  String join;

  @Option(names = "--host", paramLabel = "HOST",
      description = "Address the coordinator reaches this worker by (default: 127.0.0.1; this "
          + "machine's address, or TF_CONFIG's, when the environment places the worker).")
  String host;

  @Option(names = "--bind", paramLabel = "HOST",
      description = "Address to listen on (default: --host; 0.0.0.0, every interface, when the "
          + "environment places the worker).")
  String bind;

  @Option(names = "--port", paramLabel = "PORT",
      description = "Port to listen on; 0 picks a free one, and a new one each time the worker "
          + "rejoins after being removed (default: 0, or TF_CONFIG's).")
  Integer port;

  @Option(names = "--join-timeout", defaultValue = "20", paramLabel = "SECONDS",
      description = "Give up if the coordinator cannot be reached this long at start "
          + "(default: ${DEFAULT-VALUE}).")
  double joinTimeoutSeconds;

  @Option(names = "--coordinator-timeout", defaultValue = "20", paramLabel = "SECONDS",
      description = "Exit if the coordinator stays unreachable this long during the job "
          + "(or, if longer, the coordinator's --rejoin-timeout + 15 s); shorter network "
          + "blips are ridden out (default: ${DEFAULT-VALUE}).")
  double coordinatorTimeoutSeconds;

  @Mixin
  TlsOptions tls;

  @Mixin
  CacheOptions cache;

  @Mixin
  WorkerThreadsOption workerThreads;

  private final PrintStream err;
  private final Map<String, String> env;
  private final boolean launched;

  WorkerMain(PrintStream err, Map<String, String> env, boolean launched) {
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
   * The environment's cluster variables ({@link OperatorEnvironment}) place this worker when
   * {@code launched} (by {@code tapetrain launch}) or when {@code --join} is absent; an option
   * that contradicts them is refused.
   */
  public static int run(String[] args, Map<String, String> env, boolean launched,
      PrintStream out, PrintStream err) {
    return Cli.execute(new WorkerMain(err, env, launched), args, out, err);
  }

  /** This command's options, for a launcher that splits one command line between roles. */
  public static picocli.CommandLine.Model.CommandSpec commandSpec() {
    PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
    return new picocli.CommandLine(new WorkerMain(quiet, Map.of(), false)).getCommandSpec();
  }

  /** Whether the environment placed this worker ({@link #place}). */
  private boolean placed;

  /** The coordinator's address and this worker's, from the options and the environment. */
  private NodeAddress place() {
    Optional<OperatorEnvironment.Role> role = launched || join == null
        ? OperatorEnvironment.read(env) : Optional.empty();
    if (role.isEmpty()) {
      if (join == null) {
        throw new UserError("--join HOST:PORT is required (or the variables MASTER_ADDR, "
            + "MASTER_PORT, WORLD_SIZE and RANK, or TF_CONFIG, that place this worker)");
      }
    } else {
      OperatorEnvironment.Role r = role.get();
      if (r.kind() != OperatorEnvironment.Kind.WORKER) {
        throw new UserError(r.origin() + " makes this process the coordinator (run 'tapetrain "
            + "launch' or 'tapetrain coordinator' there)");
      }
      r.agree("--join", join, r.join(), OperatorEnvironment.Fact.JOIN);
      join = r.join();
      placed = true;
    }
    if (port != null) {
      NodeConfig.checkPort("--port", port, true);
    }
    NodeAddress address = NodeAddress.resolve(host, bind, port, 0, role,
        WorkerMain::localAddress);
    if (host == null && role.isPresent()) {
      NodeAddress.loopbackWarning(address.host(), role.get().coordinatorHost())
          .ifPresent(w -> err.println("worker: warning: " + w));
    }
    return address;
  }

  /**
   * A name given on the command line must resolve now. One the environment gives may not yet (a
   * Kubernetes service's record appears once its pod runs): the join keeps trying it.
   */
  private void checkResolves(Address seed) {
    if (!JoinFailure.resolves(seed)) {
      throw new UserError("--join " + join + ": host '" + seed.host().get() + "' does not "
          + "resolve (check the name, or use the coordinator's IP address)");
    }
  }

  /** This machine's address as its name resolves (in a pod: the pod's IP). */
  private static String localAddress() {
    try {
      return InetAddress.getLocalHost().getHostAddress();
    } catch (UnknownHostException e) {
      throw new UserError("this machine's name does not resolve to an address (" + e.getMessage()
          + "); give the worker --host ADDRESS");
    }
  }

  /** How one actor system of this process ended. */
  enum Ending {
    /** The job completed: exit 0. */
    COMPLETED,
    /** Removed from the cluster while the coordinator lives on: start over. */
    DOWNED,
    /** Anything else: exit 1 with the reason. */
    FAILED
  }

  /**
   * What one actor system's life tells the process; written by the guardian's actors. (Not the
   * coordinator's {@link WorkerProtocol.Outcome}: that is one of the things it records.)
   */
  static final class SystemEnd {
    volatile boolean joined;
    volatile boolean completed;
    /** The end is decided (the job ended, or the coordinator left or went silent). */
    volatile boolean settled;
    /** Why this system is out of the cluster and a fresh one should join (null: it is not). */
    volatile String afresh;
    /** The coordinator was seen leaving the cluster: its run is over. */
    volatile boolean coordinatorLeaving;
    /** This system ended because the coordinator seemed to leave or be gone. */
    volatile boolean coordinatorGone;
    volatile String why = "the actor system stopped";
    /** A line to print after a job that ended well, or null. */
    volatile String note;
  }

  @Override
  public Integer call() throws InterruptedException, ExecutionException {
    NodeAddress address = place();
    Address seed = NodeConfig.seedAddress("--join", join);
    Duration joinTimeout = seconds("--join-timeout", joinTimeoutSeconds);
    Duration coordinatorTimeout = seconds("--coordinator-timeout", coordinatorTimeoutSeconds);
    int threads = workerThreads.count();
    if (!placed) {
      checkResolves(seed);
    }
    // A plug-in jar that cannot be loaded ends the worker here, in one line (exit 2), not once
    // the coordinator names a model and the refusal comes back from it.
    dev.tapetrain.models.Models.plugins(java.util.Set.of());
    dev.tapetrain.data.InputFormats.plugins(java.util.Set.of());
    dev.tapetrain.data.cache.CacheSettings cacheSettings = cache.settings(env);
    LoopFiles.install(cacheSettings);
    if (cacheSettings.mode() == dev.tapetrain.data.cache.CacheSettings.Mode.ON) {
      dev.tapetrain.data.cache.ColumnCache.checkDirectory(cacheSettings);
    }
    com.typesafe.config.Config tlsConfig = tls.akkaConfig(env);
    tls.exposure("worker", address).ifPresent(err::println);
    SignalStop.Hold hold = SignalStop.holdShutdown(err);
    try (RejoinNode nodes = new RejoinNode(address, tlsConfig)) {
      return serve(seed, nodes, joinTimeout, coordinatorTimeout, cacheSettings, threads, hold);
    } finally {
      hold.decided();
    }
  }

  private int serve(Address seed, RejoinNode nodes, Duration joinTimeout,
      Duration coordinatorTimeout, dev.tapetrain.data.cache.CacheSettings cacheSettings,
      int threads, SignalStop.Hold hold) throws InterruptedException, ExecutionException {
    RejoinPolicy policy = new RejoinPolicy(coordinatorTimeout);
    for (int attempt = 0; ; attempt++) {
      SystemEnd end = new SystemEnd();
      // A fresh system keeps joining while patience lasts: the network may still be down.
      Duration joinFor = attempt == 0 ? joinTimeout
          : policy.joinTimeout(joinTimeout, System.nanoTime());
      ModelWatch watch = new ModelWatch();
      NodeConfig.Node node = nodes.forAttempt(attempt);
      ActorSystem<Void> system = ActorSystem.create(
          guardian(seed, policy, end, watch, cacheSettings, threads), NodeConfig.SYSTEM,
          // A worker stopped by a signal leaves the cluster at once, so its chunks move at once.
          ConfigFactory.parseString("akka.coordinated-shutdown.run-by-jvm-shutdown-hook = on\n"
                  // Leaving waits for the coordinator to see it; a gone coordinator never does.
                  + "akka.coordinated-shutdown.phases.cluster-exiting.timeout = 2s\n"
                  + "akka.cluster.shutdown-after-unsuccessful-join-seed-nodes = "
                  + joinFor.toMillis() + "ms")
              .withFallback(node.config()));
      hold.systemUp = true;
      err.println("worker at " + Cluster.get(system).selfMember().address() + " joining " + seed);
      boolean stopped;
      // Until it joined, Akka's warnings about the seed say what this worker's own line says.
      try (QuietJoins.Joining quiet = QuietJoins.quietWhile(seed.toString(),
          () -> !end.joined)) {
        stopped = ShutdownLimit.await(system, watch);
      }
      Ending ending = ending(end, CoordinatedShutdown.get(system).getShutdownReason());
      boolean signalled = SignalStop.bySignal(CoordinatedShutdown.get(system).getShutdownReason());
      if (!stopped) {
        ShutdownLimit.halt(watch, ending == Ending.COMPLETED ? "the job completed"
            : signalled ? "stopped by a signal (Ctrl-C or SIGTERM)" : end.why,
            ending == Ending.COMPLETED ? 0 : signalled ? SignalStop.EXIT_CODE : 1, err);
      }
      hold.systemUp = false; // the next system's hook is not added yet: see SignalStop
      if (ending == Ending.COMPLETED) {
        if (end.note != null) {
          err.println("worker: " + end.note);
        }
        return 0;
      }
      if (signalled) {
        SignalStop.exit(err);
      }
      if (!end.joined && attempt > 0) {
        err.println("worker: could not rejoin: " + policy.gaveUp(join));
        return 1;
      }
      if (!end.joined) {
        err.println("worker: " + JoinFailure.why(join, seed, joinFor, tls.enabled()));
        return 1;
      }
      if (ending == Ending.DOWNED && attempt < MAX_REJOINS) {
        err.println("worker: " + end.why + "; starting a fresh actor system and joining "
            + "again");
        continue;
      }
      if (end.coordinatorGone && attempt > 0 && attempt < MAX_REJOINS) {
        // Right after a partition a fresh system may be shown a stale view of the cluster in
        // which the coordinator leaves while it is in fact waiting for workers (seen in
        // PartitionTest, after it had sent this worker its chunks). It joins again; a
        // coordinator that really ended answers no join, and the worker then gives up after its
        // patience as it would have anyway.
        err.println("worker: " + end.why + "; joining again to make sure");
        continue;
      }
      err.println("worker: " + end.why);
      return 1;
    }
  }

  /** Reads how the system ended: the job's end, a downing to recover from, or a failure. */
  static Ending ending(SystemEnd end, java.util.Optional<CoordinatedShutdown.Reason> reason) {
    if (end.completed) {
      return Ending.COMPLETED;
    }
    if (end.afresh != null && !end.settled) {
      end.why = end.afresh;
      return Ending.DOWNED;
    }
    boolean downed = reason.isPresent()
        && reason.get().equals(CoordinatedShutdown.clusterDowningReason());
    if (downed && !end.settled) {
      end.why = "this worker was removed from the cluster by the coordinator (it was "
          + "unreachable too long)";
      return Ending.DOWNED;
    }
    return Ending.FAILED;
  }


  /**
   * Records what the coordinator said when it told this worker to stop. A worker that joined as
   * the run ended is told it is over: the process then exits 0 with that line (issue 25, item 6).
   */
  static void stopped(SystemEnd end, WorkerProtocol.StopWork stop) {
    if (stop.outcome() == WorkerProtocol.Outcome.OVER && end.settled) {
      return; // refused or dropped before the run ended: that is how it ended for this one
    }
    end.joined = true; // the coordinator reached us, whatever it says
    end.settled = true;
    if (stop.outcome().succeeded()) {
      end.completed = true;
      if (stop.outcome() == WorkerProtocol.Outcome.OVER) {
        end.note = stop.reason(); // it joined too late: say so, or it would exit silently
      }
    } else {
      end.why = "stopped by the coordinator: " + stop.reason();
    }
  }

  private static Duration seconds(String option, double s) {
    if (!(s > 0) || s > 86_400) {
      throw new UserError(option + " must be greater than 0 and at most 86400 seconds, got "
          + Cli.plain(s));
    }
    return Duration.ofNanos((long) (s * 1e9));
  }

  private static Behavior<Void> guardian(Address seed, RejoinPolicy policy, SystemEnd end,
      ModelWatch watch, dev.tapetrain.data.cache.CacheSettings cacheSettings, int threads) {
    return Behaviors.setup(ctx -> {
      Cluster cluster = Cluster.get(ctx.getSystem());
      cluster.manager().tell(new JoinSeedNodes(List.of(seed)));
      ActorRef<Object> coordinatorWatch =
          ctx.spawn(CoordinatorWatch.create(policy, end), "coordinator-watch");
      // The watch reads the rejoin window off the assignment; the worker never knows.
      ActorRef<WorkerProtocol.Command> worker = ctx.spawn(AssignmentCopies.sentTo(coordinatorWatch,
          Worker.create(stop -> stopped(end, stop), watch, cacheSettings, threads)), "worker");
      ctx.watch(worker);
      ctx.spawn(CoordinatorLeaving.create(end), "coordinator-leaving");
      return Behaviors.receive(Void.class)
          .onSignal(Terminated.class, t -> Behaviors.stopped())
          .build();
    });
  }
}
