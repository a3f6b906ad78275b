package dev.tapetrain.coordinator;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import dev.tapetrain.protocol.CoordinatorProtocol;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The root actor of a process that hosts a coordinator: runs {@code setup} (spawning local
 * workers, joining the cluster), spawns the coordinator and watches it. A coordinator that stops
 * before its run finished (it crashed) fails {@code done}, so the process never waits forever.
 */
public final class CoordinatorGuardian {

  private CoordinatorGuardian() {}

  /** The guardian behaviour. */
  public static Behavior<Void> create(Behavior<CoordinatorProtocol.Command> coordinator,
      CompletableFuture<RunSummary> done, Consumer<ActorContext<Void>> setup) {
    return Behaviors.setup(ctx -> {
      setup.accept(ctx);
      ActorRef<CoordinatorProtocol.Command> ref = ctx.spawn(coordinator, "coordinator");
      ctx.watch(ref);
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
