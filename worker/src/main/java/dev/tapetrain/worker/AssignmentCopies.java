package dev.tapetrain.worker;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.BehaviorInterceptor;
import akka.actor.typed.TypedActorContext;
import akka.actor.typed.javadsl.Behaviors;
import dev.tapetrain.protocol.WorkerProtocol;

/**
 * A worker's behavior that also sends a copy of every shard assignment it receives to another
 * actor: the coordinator watch reads the rejoin window off the assignment, and the worker never
 * knows.
 */
final class AssignmentCopies {

  private AssignmentCopies() {
  }

  /** {@code worker}, sending {@code to} a copy of every shard assignment it receives. */
  static Behavior<WorkerProtocol.Command> sentTo(ActorRef<Object> to,
      Behavior<WorkerProtocol.Command> worker) {
    return Behaviors.intercept(() -> new BehaviorInterceptor<WorkerProtocol.Command,
        WorkerProtocol.Command>(WorkerProtocol.Command.class) {
      @Override
      public Behavior<WorkerProtocol.Command> aroundReceive(
          TypedActorContext<WorkerProtocol.Command> ctx, WorkerProtocol.Command msg,
          ReceiveTarget<WorkerProtocol.Command> target) {
        if (msg instanceof WorkerProtocol.AssignShard) {
          to.tell(msg);
        }
        return target.apply(ctx, msg);
      }
    }, worker);
  }
}
