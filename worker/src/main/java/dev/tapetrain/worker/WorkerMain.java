package dev.tapetrain.worker;

import akka.actor.Address;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.ClusterEvent;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.JoinSeedNodes;
import akka.cluster.typed.Subscribe;
import dev.tapetrain.protocol.WorkerProtocol;
import dev.tapetrain.protocol.cli.Cli;
import dev.tapetrain.protocol.node.NodeConfig;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.LoggerFactory;
import dev.tapetrain.protocol.node.TlsOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code java -jar worker.jar --join HOST:PORT}: a worker process. Joins the coordinator's
 * cluster, registers with the Receptionist, serves the coordinator and exits 0 when the job ends.
 * It exits non-zero if the coordinator disappears (removed from the cluster), if it cannot join,
 * or if its actor system stops for any other reason.
 */
@Command(name = "worker", mixinStandardHelpOptions = true, sortOptions = false,
    version = "tapetrain worker 0.1.0",
    description = "Join a tapetrain cluster and compute gradients for its coordinator.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the job completed", "1:the coordinator disappeared, could not join, or the "
        + "job ended otherwise", "2:bad option"})
public final class WorkerMain implements Callable<Integer> {

  @Option(names = "--join", required = true, paramLabel = "HOST:PORT",
      description = "The coordinator's address, as printed by the coordinator.")
  String join;

  @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST",
      description = "Address to bind and advertise (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "0", paramLabel = "PORT",
      description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Mixin
  TlsOptions tls;

  private final PrintStream err;

  WorkerMain(PrintStream err) {
    this.err = err;
  }

  /** Entry point of the runnable jar. */
  public static void main(String[] args) {
    LoggerFactory.getILoggerFactory();
    System.exit(Cli.execute(new WorkerMain(System.err), args, System.out, System.err));
  }

  @Override
  public Integer call() throws InterruptedException, ExecutionException {
    Address seed = NodeConfig.seedAddress("--join", join);
    NodeConfig.checkPort("--port", port, true);
    com.typesafe.config.Config tlsConfig = tls.akkaConfig(System.getenv());
    tls.warnIfExposed("worker", host, err);
    // Until the job completes, any way the actor system ends is a failure.
    AtomicInteger exitCode = new AtomicInteger(1);
    AtomicReference<String> why = new AtomicReference<>("the actor system stopped");
    ActorSystem<Void> system = ActorSystem.create(guardian(seed, exitCode, why), NodeConfig.SYSTEM,
        // A worker stopped by a signal leaves the cluster at once, so its chunks move at once.
        com.typesafe.config.ConfigFactory.parseString(
                "akka.coordinated-shutdown.run-by-jvm-shutdown-hook = on")
            .withFallback(NodeConfig.cluster(NodeConfig.WORKER_ROLE, host, port, tlsConfig)));
    err.println("worker at " + Cluster.get(system).selfMember().address() + " joining " + seed);
    system.getWhenTerminated().toCompletableFuture().get();
    if (exitCode.get() != 0) {
      err.println("worker: " + why.get());
    }
    return exitCode.get();
  }

  private static Behavior<Void> guardian(Address seed, AtomicInteger exitCode,
      AtomicReference<String> why) {
    return Behaviors.setup(ctx -> {
      Cluster cluster = Cluster.get(ctx.getSystem());
      cluster.manager().tell(new JoinSeedNodes(List.of(seed)));
      ActorRef<WorkerProtocol.Command> worker = ctx.spawn(Worker.create(reason -> {
        if ("completed".equals(reason)) {
          exitCode.set(0);
        } else {
          why.set("stopped by the coordinator: " + reason);
        }
      }), "worker");
      ctx.watch(worker);
      ActorRef<ClusterEvent.MemberRemoved> coordinatorGone = ctx.spawn(
          Behaviors.receive(ClusterEvent.MemberRemoved.class)
              .onMessage(ClusterEvent.MemberRemoved.class, e -> {
                if (e.member().hasRole(NodeConfig.COORDINATOR_ROLE)) {
                  why.set("the coordinator " + e.member().address() + " left the cluster");
                  ctx.getSystem().terminate();
                }
                return Behaviors.same();
              }).build(), "coordinator-watch");
      cluster.subscriptions().tell(Subscribe.create(coordinatorGone,
          ClusterEvent.MemberRemoved.class));
      return Behaviors.receive(Void.class)
          .onSignal(Terminated.class, t -> Behaviors.stopped())
          .build();
    });
  }
}
