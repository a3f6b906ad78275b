package dev.tapetrain.localrunner;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.Behaviors;
import dev.tapetrain.coordinator.Coordinator;
import dev.tapetrain.coordinator.RunSummary;
import dev.tapetrain.coordinator.TrainingListener;
import dev.tapetrain.protocol.CoordinatorProtocol;
import dev.tapetrain.protocol.RunSpec;
import dev.tapetrain.worker.Worker;
import java.util.concurrent.CompletableFuture;

/**
 * The guardian of the single-JVM runner: spawns {@code spec.workers()} workers and one
 * coordinator, and turns a coordinator that stops without finishing (a crash) into a failed
 * {@code done}, so the runner never waits forever.
 */
final class LocalCluster {

  private LocalCluster() {}

  static Behavior<Void> create(RunSpec spec, TrainingListener listener,
      CompletableFuture<RunSummary> done) {
    return Behaviors.setup(ctx -> {
      for (int i = 1; i <= spec.workers(); i++) {
        ctx.spawn(Worker.create(), "worker-" + i);
      }
      ActorRef<CoordinatorProtocol.Command> coordinator =
          ctx.spawn(Coordinator.create(spec, listener), "coordinator");
      ctx.watch(coordinator);
      return Behaviors.receive(Void.class)
          .onSignal(Terminated.class, t -> {
            done.completeExceptionally(
                new IllegalStateException("the coordinator stopped before the run finished"));
            return Behaviors.stopped();
          })
          .build();
    });
  }
}
