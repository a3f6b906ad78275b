package dev.tapetrain.coordinator;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.BehaviorBuilder;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import dev.tapetrain.coordinator.Tick.RejoinDeadline;
import dev.tapetrain.coordinator.Tick.RoundDeadline;
import dev.tapetrain.coordinator.spec.RunSpec;
import dev.tapetrain.protocol.CoordinatorProtocol.Command;
import dev.tapetrain.protocol.CoordinatorProtocol.GradientsComputed;
import dev.tapetrain.protocol.CoordinatorProtocol.ModelFailed;
import dev.tapetrain.protocol.CoordinatorProtocol.ShardAssigned;
import dev.tapetrain.protocol.CoordinatorProtocol.ShardRejected;
import dev.tapetrain.protocol.WorkerProtocol;
import dev.tapetrain.protocol.WorkerProtocol.ComputeGradients;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The coordinator of one training run: its messages and the phases they move it through, each a
 * behaviour over a record of what only it needs (Akka's FSM sample): {@link #waiting} for
 * {@code spec.workers()} workers; {@link #loading} while they load their chunks and are
 * admitted (then {@link #waiting} again if none is left: {@link #waitAgain}); {@link #training},
 * one round at a time; {@link #stalled} with no worker left, until one comes or {@code
 * --rejoin-timeout} passes; {@link #stopping} once the workers are told how the run ended. A
 * round: {@link ComputeGradients} to every member, the chunk-tree nodes back,
 * {@link StepReduction}, then the {@link RoundLoop}: the event, the decision, the next round.
 *
 * <p>The work is the plain classes': {@link WorkerChoice} (the workers of the start),
 * {@link WorkerRoster} (admission, losses, joins, through {@link ActorCrew}),
 * {@link ModelAgreement}, {@link RecoveryLog}, {@link Evaluation} (a round's answers),
 * {@link RoundLoop} (over {@link RoundPlan} and {@link StepMath}) and {@link RunRecord} (what is
 * told and kept).
 */
public final class Coordinator {

  /** The workers the coordinator may take on now ({@link ListedWorkers}). */
  private record WorkersListed(Set<ActorRef<WorkerProtocol.Command>> workers)
      implements Command, NoSerializationVerificationNeeded {}

  /** A watched worker stopped: its actor, or its node, is gone. */
  private record WorkerLost(ActorRef<WorkerProtocol.Command> worker)
      implements Command, NoSerializationVerificationNeeded {}

  private static final Object DEADLINE_TIMER = "round-deadline";
  /** How long a finished coordinator waits for its workers to stop before it stops itself. */
  private static final Duration STOP_GRACE = Duration.ofSeconds(5);
  /** How often suspect members are checked (the failure detector's heartbeat interval). */
  private static final Duration RECHECK_EVERY = Duration.ofMillis(500);

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final RunSpec spec;
  private final StepMath math;
  private final RoundLoop loop;
  private final RunRecord record;
  private final RecoveryLog recovery = new RecoveryLog();
  private final ActorCrew crew;
  private final WorkerRoster<ActorRef<WorkerProtocol.Command>> roster;
  private final WorkerChoice<ActorRef<WorkerProtocol.Command>> choice;

  private Coordinator(ActorContext<Command> context, TimerScheduler<Command> timers, RunSpec spec,
      TrainingState start, TrainingListener listener, RunStore store) {
    this.context = context;
    this.timers = timers;
    this.spec = spec;
    // A new run's step-0 values come from the model the first worker builds.
    this.math = new StepMath(spec, start, List.of());
    this.loop = new RoundLoop(math, RoundPlans.of(spec, start));
    this.record = new RunRecord(listener, store, math, spec.steps());
    this.crew = new ActorCrew(context, spec, math::params, WorkerLost::new);
    this.roster = new WorkerRoster<>(spec.dataset(), new ModelAgreement(spec.model().name(),
        start == null ? null : start.params(), crew::wireLimit, layout -> {
          loop.metricNames(layout.metrics());
          record.modelAdopted(layout, start != null)
              .ifPresent(s -> context.getLog().warn("{}", s.detail()));
        }),
        crew, recovery, !spec.rejoinTimeout().isZero());
    this.choice = new WorkerChoice<>(spec.workers(), spec.waitTimeout(), spec.stepTimeout(),
        crew::name);
  }

  /**
   * A coordinator that trains {@code spec} from {@code start} (null: from the beginning), tells
   * {@code listener} and keeps the run in {@code store} ({@link RunStore#NONE}: nowhere).
   */
  public static Behavior<Command> create(RunSpec spec, TrainingState start,
      TrainingListener listener, RunStore store) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      ctx.spawn(ListedWorkers.create(ctx.getSelf(), WorkersListed::new), "listed-workers");
      timers.startSingleTimer(Tick.WAIT, spec.waitTimeout());
      Coordinator coordinator = new Coordinator(ctx, timers, spec, start, listener, store);
      return coordinator.waiting(coordinator.loop.first(), Gathering.none());
    }));
  }

  /**
   * Waiting: until {@code spec.workers()} workers are up (or --wait-timeout passes); {@code
   * first}: the round training starts with.
   */
  private Behavior<Command> waiting(Round first,
      Gathering<ActorRef<WorkerProtocol.Command>> phase) {
    return Behaviors.receive(Command.class)
        .onMessage(WorkersListed.class, m -> onListedWhileWaiting(first, phase, m.workers()))
        .onMessageEquals(Tick.WAIT, () -> finish(choice.timedOut(phase)))
        .onMessage(Interrupt.class, m -> finish(m.stop()))
        .onAnyMessage(m -> ignore(1))
        .build();
  }

  /** {@code listed}: the workers up now, refused ones included (the roster leaves them out). */
  private Behavior<Command> onListedWhileWaiting(Round first,
      Gathering<ActorRef<WorkerProtocol.Command>> phase,
      Set<ActorRef<WorkerProtocol.Command>> listed) {
    WorkerChoice.Listing<ActorRef<WorkerProtocol.Command>> now =
        choice.listed(phase, roster.eligible(listed));
    now.joined().forEach(record::tell);
    if (!now.enough()) {
      return waiting(first, now.waiting());
    }
    timers.cancel(Tick.WAIT);
    crew.roundsAhead(loop.roundsAhead(first));
    roster.start(now.chosen());
    timers.startSingleTimer(Tick.LOAD, spec.stepTimeout());
    return loading(first, listed);
  }

  /**
   * Loading: the members load their chunks; {@code first}: the round training starts with;
   * {@code listed}: the workers up at the last listing, from which a start that loses every
   * member chooses again.
   */
  private Behavior<Command> loading(Round first, Set<ActorRef<WorkerProtocol.Command>> listed) {
    return workerNews(Behaviors.receive(Command.class)
            .onMessage(WorkersListed.class, m -> afterLoading(first, m.workers(),
                recheckSuspects(roster.listed(m.workers(), null)))),
        null, stop -> afterLoading(first, listed, stop))
        .onMessageEquals(Tick.LOAD, () -> afterLoading(first, listed, roster.loseAll(
            roster.stillLoading(), choice.lateLoading(), false, null)))
        .onMessage(Interrupt.class, m -> finish(m.stop()))
        .onAnyMessage(m -> ignore(1))
        .build();
  }

  private BehaviorBuilder<Command> workerNews(Evaluation<ActorRef<WorkerProtocol.Command>> open,
      Function<Optional<Stop>, Behavior<Command>> after) {
    return workerNews(Behaviors.receive(Command.class), open, after);
  }

  /**
   * The messages of every phase with workers, after those of {@code phase}: one loaded its
   * chunks, could not, or was lost, and the listing of reachable workers; the roster's answer
   * goes to {@code after} ({@code open}: the round in progress, null before training).
   */
  private BehaviorBuilder<Command> workerNews(BehaviorBuilder<Command> phase,
      Evaluation<ActorRef<WorkerProtocol.Command>> open,
      Function<Optional<Stop>, Behavior<Command>> after) {
    return phase
        .onMessage(ShardAssigned.class, m -> after.apply(roster.loaded(m.worker(), m.chunks(),
            m.dataDigest(), m.layout(), open)))
        .onMessage(ShardRejected.class, m -> after.apply(
            roster.rejected(m.worker(), m.reason(), open)))
        .onMessage(WorkerLost.class, m -> after.apply(
            roster.lose(m.worker(), "terminated", false, open)))
        .onMessage(WorkersListed.class, m -> after.apply(recheckSuspects(roster.listed(
            m.workers(), open))))
        .onMessageEquals(Tick.RECHECK_SUSPECTS, () -> after.apply(recheckSuspects(
            roster.recheck(open))));
  }

  /** Passes {@code stop} on; while a member is suspect, checks it again soon. */
  private Optional<Stop> recheckSuspects(Optional<Stop> stop) {
    if (stop.isEmpty() && roster.anySuspect()
        && !timers.isTimerActive(Tick.RECHECK_SUSPECTS)) {
      timers.startSingleTimer(Tick.RECHECK_SUSPECTS, RECHECK_EVERY);
    }
    return stop;
  }

  private Behavior<Command> afterLoading(Round first,
      Set<ActorRef<WorkerProtocol.Command>> listed, Optional<Stop> stop) {
    if (stop.isPresent()) {
      return finish(stop.get());
    }
    if (roster.members().isEmpty()) {
      return waitAgain(first, listed);
    }
    if (roster.loading()) {
      return loading(first, listed);
    }
    timers.cancel(Tick.LOAD);
    return record.tell(choice.ready(roster.members())).map(this::finish).orElseGet(() -> {
      record.trainingStarts();
      return startRound(first, System.nanoTime());
    });
  }

  /**
   * The start lost every member while loading (refused, say, for other data or a missing model)
   * and the run may wait for workers ({@code --rejoin-timeout} above 0): nothing was computed,
   * so it waits as at the start, a whole --wait-timeout from now (the refusal may come after the
   * first window ran out; a user who reads why needs time to start another worker), choosing
   * among the workers still {@code listed} first.
   */
  private Behavior<Command> waitAgain(Round first, Set<ActorRef<WorkerProtocol.Command>> listed) {
    timers.cancel(Tick.LOAD);
    String lost = recovery.lastLost();
    roster.startAgain();
    return record.tell(choice.waitingAgain(lost)).map(this::finish).orElseGet(() -> {
      timers.startSingleTimer(Tick.WAIT, spec.waitTimeout());
      return onListedWhileWaiting(first, Gathering.again(lost), listed);
    });
  }

  /** Starts {@code round}: admitted joiners take their chunks, every member is asked. */
  private Behavior<Command> startRound(Round round, long nowNanos) {
    roster.admitReady(round.number(), 0);
    long ahead = loop.roundsAhead(round);
    crew.roundsAhead(ahead); // what a joiner loading from now on is told
    // Named once per round: the workers' own messages number steps as the step log does.
    OpenRound<ActorRef<WorkerProtocol.Command>> phase = OpenRound.started(round,
        new Evaluation<>(spec.dataset(), round, ahead, RoundNames.during(round, math.updates()),
            crew), nowNanos, math.updates());
    record.opened(round, math.updates());
    roster.askAll(phase.evaluation());
    // No timer per round (it cost more than a small round's arithmetic): the one pending timer,
    // when it fires early for this round, is set again for what is left.
    if (!timers.isTimerActive(DEADLINE_TIMER)) {
      deadline(round.number(), spec.stepTimeout());
    }
    return training(phase);
  }

  /** Training: the members answer the round; a loss moves chunks, a joiner waits its turn. */
  private Behavior<Command> training(OpenRound<ActorRef<WorkerProtocol.Command>> phase) {
    return workerNews(phase.evaluation(), stop -> afterLoss(phase, stop))
        .onMessage(GradientsComputed.class, m -> onGradients(phase, m))
        .onMessage(ModelFailed.class, m -> onModelFailed(phase, m))
        .onMessage(RoundDeadline.class, m -> onRoundDeadline(phase))
        .onMessage(Interrupt.class, m -> finish(m.stop()))
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private Behavior<Command> onGradients(OpenRound<ActorRef<WorkerProtocol.Command>> phase,
      GradientsComputed m) {
    if (m.round() != phase.round().number() || !roster.isMember(m.worker())) {
      context.getLog().debug("ignored answer for round [{}] from [{}]", m.round(),
          crew.name(m.worker()));
      return ignore(m.results().size());
    }
    recovery.ignored(phase.evaluation().answered(m.worker(), m.results(), m.computeNanos(),
        math.params()));
    return phase.evaluation().complete() ? completeRound(phase) : Behaviors.same();
  }

  /** The model's own code failed: every worker would fail the same way, so the run ends. */
  private Behavior<Command> onModelFailed(OpenRound<ActorRef<WorkerProtocol.Command>> phase,
      ModelFailed m) {
    if (m.round() != phase.round().number() || !roster.isMember(m.worker())) {
      return Behaviors.same();
    }
    return finish(Stop.modelFailed(spec.model().name(),
        RoundNames.during(phase.round(), phase.updatesBefore()), m.error()));
  }

  private Behavior<Command> completeRound(OpenRound<ActorRef<WorkerProtocol.Command>> phase) {
    long now = System.nanoTime();
    recovery.roundCompleted(now);
    StepReduction.Totals totals = math.withPenalty(phase.evaluation().reduce(math.params()));
    Round round = phase.round();
    Supplier<Optional<Stop>> tell = () -> record.tell(loop.report(round,
        totals, now - phase.startNanos(), phase.evaluation().shares(crew::name), recovery));
    Supplier<Optional<Stop>> decide = () -> loop.decide(round, totals);
    Optional<Stop> stop = (loop.reportsAfterUpdate(round) ? decide.get().or(tell)
        : tell.get().or(decide))
        .or(() -> loop.afterStep(round, totals).flatMap(record::tell))
        .or(() -> record.roundDone(math.checkpointDue()));
    return stop.isPresent() ? finish(stop.get()) : startRound(loop.next(phase.round()), now);
  }

  private Behavior<Command> onRoundDeadline(OpenRound<ActorRef<WorkerProtocol.Command>> phase) {
    long left = phase.deadlineFromNanos() + spec.stepTimeout().toNanos() - System.nanoTime();
    long round = phase.round().number();
    if (left > 0) {
      deadline(round, Duration.ofNanos(left));
      return Behaviors.same();
    }
    Optional<Stop> stop = roster.loseAll(phase.evaluation().late(), "missed the "
        + spec.stepTimeout().toMillis() + " ms step deadline", false, phase.evaluation());
    if (stop.isPresent() || roster.members().isEmpty()) {
      return afterLoss(phase, stop);
    }
    deadline(round, spec.stepTimeout());
    return training(phase.deadlineFrom(System.nanoTime()));
  }

  /** After a loss in the open round: the run ends, goes on, or waits for a worker. */
  private Behavior<Command> afterLoss(OpenRound<ActorRef<WorkerProtocol.Command>> open,
      Optional<Stop> stop) {
    if (stop.isPresent() || !roster.members().isEmpty() || roster.anyReady()) {
      return stop.map(this::finish)
          .orElseGet(() -> roster.members().isEmpty() ? takeOver(open) : Behaviors.same());
    }
    long round = open.round().number();
    timers.cancel(DEADLINE_TIMER);
    timers.startSingleTimer(RejoinDeadline.class, new RejoinDeadline(round), spec.rejoinTimeout());
    record.tell(recovery.stalled(round, spec.rejoinTimeout(), System.nanoTime()));
    return stalled(open);
  }

  /** Stalled: the {@code open} round has no worker left; one may come back or join. */
  private Behavior<Command> stalled(OpenRound<ActorRef<WorkerProtocol.Command>> open) {
    return workerNews(open.evaluation(), stop -> afterStall(open, stop))
        .onMessage(RejoinDeadline.class, m -> m.round() != open.round().number()
            ? Behaviors.same() : finish(recovery.noneCameBack()))
        .onMessage(Interrupt.class, m -> finish(m.stop()))
        .onMessage(GradientsComputed.class, m -> ignore(m.results().size()))
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private Behavior<Command> afterStall(OpenRound<ActorRef<WorkerProtocol.Command>> open,
      Optional<Stop> stop) {
    return stop.isPresent() || !roster.anyReady()
        ? stop.map(this::finish).orElse(Behaviors.same()) : takeOver(open);
  }

  /** With no member left, the admitted joiners take every chunk of the open round at once. */
  private Behavior<Command> takeOver(OpenRound<ActorRef<WorkerProtocol.Command>> open) {
    timers.cancel(RejoinDeadline.class);
    roster.admitReady(open.round().number(), recovery.unstalled(System.nanoTime()));
    roster.askAll(open.evaluation());
    deadline(open.round().number(), spec.stepTimeout());
    return training(open.deadlineFrom(System.nanoTime()));
  }

  private void deadline(long round, Duration after) {
    timers.startSingleTimer(DEADLINE_TIMER, new RoundDeadline(round), after);
  }

  /** Ends the run (see {@link RunRecord#finish}) and tells every worker how. */
  private Behavior<Command> finish(Stop stop) {
    timers.cancelAll();
    RunSummary summary = record.finish(stop, roster.members().size());
    Set<ActorRef<WorkerProtocol.Command>> told =
        roster.stopAll(summary.status().outcome(), summary.message());
    if (told.isEmpty()) {
      return Behaviors.stopped();
    }
    timers.startSingleTimer(Tick.STOP, STOP_GRACE);
    return stopping(Farewell.of(told, summary.message().isEmpty() ? summary.status().label()
        : summary.status().label() + ": " + summary.message()));
  }

  /**
   * Stopping: (briefly) until the workers told to stop have stopped. One that registers now (a
   * worker joining late, one back from a network blip) is told the run is over, and waited for.
   */
  private Behavior<Command> stopping(Farewell<ActorRef<WorkerProtocol.Command>> phase) {
    return Behaviors.receive(Command.class)
        .onMessage(WorkerLost.class, m -> phase.stopped(m.worker()).done() ? Behaviors.stopped()
            : stopping(phase.stopped(m.worker())))
        .onMessage(WorkersListed.class, m -> {
          List<ActorRef<WorkerProtocol.Command>> late = phase.newcomers(
              m.workers());
          late.forEach(w -> crew.tellOver(w, phase.ending()));
          return stopping(phase.alsoTold(late));
        })
        .onMessageEquals(Tick.STOP, Behaviors::stopped)
        .onMessage(Interrupt.class, m -> Behaviors.stopped())
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  /** Drops {@code results} answers that came when none was expected, and counts them. */
  private Behavior<Command> ignore(long results) {
    recovery.ignored(results);
    return Behaviors.same();
  }
}
