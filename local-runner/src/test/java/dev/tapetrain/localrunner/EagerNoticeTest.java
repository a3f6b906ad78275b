package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tapetrain.localrunner.api.Trainer;
import dev.tapetrain.models.Model;
import dev.tapetrain.models.ModelFactory;
import dev.tapetrain.models.ModelOptions;
import dev.tapetrain.models.Parameter;
import dev.tapetrain.tape.Ops;
import dev.tapetrain.tape.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's model the compiler does not take runs eagerly, and the run says so once, as a
 * warning (shown at the default level), naming the op and what compiles instead, without the
 * traced program's places and shapes ("row[32]"): it said it at INFO, once per worker actor.
 */
class EagerNoticeTest {

  @TempDir
  Path dir;

  /** A line clipped at 0 by a mask of Ops.constant: a Java function the compiler cannot read. */
  static final class ConstantMasked implements ModelFactory {
    @Override
    public String name() {
      return "constant-masked";
    }

    @Override
    public Model create(ModelOptions options) {
      int f = options.features();
      return new Model() {
        @Override
        public List<Parameter> parameters() {
          return List.of(new Parameter("w", new int[] {f}, new double[f], true),
              new Parameter("b", new int[0], new double[] {0.5}, false));
        }

        @Override
        public Tensor predict(Map<String, Tensor> p, Tensor x) {
          Tensor z = Ops.add(Ops.matvec(x, p.get("w")), p.get("b"));
          return Ops.mul(z, Ops.constant(z, v -> v > 0 ? 1 : 0));
        }

        @Override
        public Tensor lossSum(Map<String, Tensor> p, Tensor x, Tensor y) {
          return Ops.sum(Ops.squaredDifference(predict(p, x), y));
        }
      };
    }
  }

  @Test
  void anEagerModelIsOneWarningPerRunNamingTheOp() throws Exception {
    Logger log = (Logger) org.slf4j.LoggerFactory.getLogger(
        dev.tapetrain.worker.shard.ShardEvaluator.class);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    log.addAppender(events);
    try {
      // 70 rounds ahead: every worker tries to compile before its first round.
      Trainer.builder().model(new ConstantMasked()).workers(3).steps(70)
          .runDir(dir.resolve("eager")).build().fit();
    } finally {
      log.detachAppender(events);
    }
    List<ILoggingEvent> eager = events.list.stream()
        .filter(e -> e.getFormattedMessage().contains("eager")).toList();
    List<ILoggingEvent> shown = eager.stream()
        .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).toList();
    assertEquals(1, shown.size(), "one warning for 3 workers: " + eager);
    assertEquals("the model runs on the eager tape, op by op (several times slower than the "
        + "compiled loop, same numbers): op constant is not compiled: Ops.constant's Java "
        + "function cannot be looked into (a mask made with Comparisons or Ops.sign compiles)",
        shown.get(0).getFormattedMessage());
    assertFalse(shown.get(0).getFormattedMessage().contains("row["));
  }
}
