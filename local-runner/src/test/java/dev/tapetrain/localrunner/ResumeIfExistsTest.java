package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.coordinator.run.Checkpoints;
import dev.tapetrain.data.CsvFile;
import dev.tapetrain.data.FileSet;
import dev.tapetrain.data.parquet.PureJavaCodecs;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.ProtoCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;

/**
 * {@code --run-dir DIR --resume-if-exists}: the same command run again continues its own run
 * (to the bits of one uninterrupted run), and still refuses another run's directory.
 */
class ResumeIfExistsTest extends ProcessTestBase {

  private static String[] job(Path run, String... more) {
    return concat(concat(new String[] {"--run-dir", run.toString(), "--resume-if-exists"}),
        more);
  }

  @Test
  void theSameCommandAgainContinuesItsRunToTheBitsOfOneRun() throws Exception {
    Path whole = dir.resolve("whole");
    assertEquals(0, Runs.run("--steps", "120", "--optimizer", "adam", "--run-dir",
        whole.toString()).exitCode());
    Path run = dir.resolve("run");
    // A first try that ends after 70 steps (as a killed pod's run ends at its checkpoint).
    assertEquals(0, Runs.run(job(run, "--steps", "70", "--optimizer", "adam",
        "--checkpoint-every", "30")).exitCode());
    Runs.Result again = Runs.run(job(run, "--steps", "120", "--optimizer", "adam",
        "--workers", "3"));
    assertEquals(0, again.exitCode(), again.err());
    assertTrue(again.err().contains("resuming " + run + " from step 70"), again.err());
    assertEquals(Runs.steps(whole), Runs.steps(run), "bit for bit");
    assertEquals("completed", Runs.summary(run).get("status").asText());

    String steps = Files.readString(run.resolve("steps.jsonl"));
    Runs.Result done = Runs.run(job(run, "--steps", "120", "--optimizer", "adam"));
    assertEquals(0, done.exitCode(), done.err());
    assertTrue(done.err().contains("nothing to do: the run completed all its 120 steps"),
        done.err());
    assertEquals(steps, Files.readString(run.resolve("steps.jsonl")), "nothing was touched");
  }

  @Test
  void aRunThatStoppedEarlyHasNothingLeftToDo() throws Exception {
    Path run = dir.resolve("early");
    String[] options = {"--epochs", "20", "--batch-size", "100", "--validation-split", "0.2",
        "--early-stopping-patience", "1", "--min-delta", "1000"};
    Runs.Result first = Runs.run(job(run, options));
    assertEquals(0, first.exitCode(), first.err());
    assertEquals("stopped_early", Runs.summary(run).get("status").asText());
    String steps = Files.readString(run.resolve("steps.jsonl"));
    Runs.Result again = Runs.run(job(run, options));
    assertEquals(0, again.exitCode(), again.err());
    assertTrue(again.err().contains("nothing to do: the run stopped early after"), again.err());
    assertEquals(steps, Files.readString(run.resolve("steps.jsonl")), "nothing was touched");
  }

  @Test
  void anotherRunsDirectoryIsRefusedInOneLineAndLeftAsItWas() throws Exception {
    Path run = dir.resolve("run");
    assertEquals(0, Runs.run("--steps", "20", "--run-dir", run.toString()).exitCode());
    String steps = Files.readString(run.resolve("steps.jsonl"));

    Runs.Result plain = Runs.run("--steps", "20", "--run-dir", run.toString());
    assertEquals(2, plain.exitCode(), "without the option an existing directory is refused");
    assertTrue(plain.err().contains("already exists"), plain.err());

    Runs.Result other = Runs.run(job(run, "--steps", "20", "--learning-rate", "0.5"));
    assertEquals(2, other.exitCode());
    // Which option, as inspect A B would say it (--steps may differ between tries of a run).
    assertEquals(List.of("local-runner: --run-dir " + run + " holds another run (its checkpoint's options "
        + "differ from this command line's: --learning-rate 0.01 in the run, 0.5 here); pick a "
        + "new directory, or continue it with --resume " + run), other.err().lines().toList());
    Runs.Result fewer = Runs.run(job(run, "--steps", "10"));
    assertEquals(2, fewer.exitCode());
    assertTrue(fewer.err().contains("holds this run after 20 steps, more than the 10"),
        fewer.err());
    assertEquals(steps, Files.readString(run.resolve("steps.jsonl")));

    Path notARun = Files.createDirectories(dir.resolve("other"));
    Files.writeString(notARun.resolve("notes.txt"), "mine");
    Runs.Result foreign = Runs.run(job(notARun, "--steps", "20"));
    assertEquals(2, foreign.exitCode());
    assertTrue(foreign.err().contains("exists and holds no tapetrain run"), foreign.err());

    Runs.Result noDir = Runs.run("--steps", "20", "--resume-if-exists");
    assertEquals(2, noDir.exitCode());
    assertTrue(noDir.err().contains("--resume-if-exists needs --run-dir DIR"), noDir.err());
  }

  /**
   * A directory with only the run.lock of a start stopped before config.json (a signal or
   * kill -9 as it started) is taken over as an empty one is: it was refused as "no tapetrain
   * run", and a rank-0 pod on a persistent volume crash-looped on it.
   */
  @Test
  void aStoppedStartsLockAloneIsTakenOver() throws Exception {
    Path stopped = Files.createDirectories(dir.resolve("stopped"));
    dev.tapetrain.coordinator.run.RunLock.acquire(stopped, "--run-dir").close();
    Runs.Result taken = Runs.run(job(stopped, "--steps", "3"));
    assertEquals(0, taken.exitCode(), taken.err());
    assertTrue(taken.err().contains("--run-dir " + stopped + ": held only the run.lock of a "
        + "start that was stopped before it wrote config.json; starting the run there"),
        taken.err());
    assertEquals("completed", Runs.summary(stopped).get("status").asText());
  }

  @Test
  void anEmptyDirectoryOrARunWithoutACheckpointStartsThere() throws Exception {
    Path whole = dir.resolve("whole");
    assertEquals(0, Runs.run("--steps", "40", "--run-dir", whole.toString()).exitCode());

    Path volume = Files.createDirectories(dir.resolve("volume"));
    Runs.Result first = Runs.run(job(volume, "--steps", "40"));
    assertEquals(0, first.exitCode(), first.err());
    assertEquals(Runs.steps(whole), Runs.steps(volume));

    // As if the run had stopped before its first checkpoint: nothing of it is committed.
    Files.delete(volume.resolve("checkpoint.pb"));
    Runs.Result other = Runs.run(job(volume, "--steps", "40", "--seed", "7"));
    assertEquals(2, other.exitCode());
    assertTrue(other.err().contains("holds another run (its config.json has other options"),
        other.err());
    Runs.Result again = Runs.run(job(volume, "--steps", "40"));
    assertEquals(0, again.exitCode(), again.err());
    assertTrue(again.err().contains("stopped before its first checkpoint; starting it again"),
        again.err());
    assertEquals(Runs.steps(whole), Runs.steps(volume), "every step once, the same bits");
    assertEquals(40, Runs.summary(volume).get("steps").asInt());
  }

  /**
   * A build before 2026-12-08 wrote a checkpoint of no parameters for a run stopped before its
   * workers brought the model (a coordinator stopped while it waited for workers, an embedded
   * run interrupted as it started): --resume refuses it as no checkpoint, naming the way on, and
   * the same command with --resume-if-exists starts the run over there (it was refused: "the
   * run has []"; new-user round, 2026-12-07).
   */
  @Test
  void aCheckpointOfNoParametersCountsAsNone() throws Exception {
    Path whole = dir.resolve("whole");
    assertEquals(0, Runs.run("--steps", "40", "--run-dir", whole.toString()).exitCode());
    Path run = dir.resolve("run");
    assertEquals(0, Runs.run(job(run, "--steps", "40")).exitCode());
    Path file = run.resolve(Checkpoints.FILE);
    Checkpoints.Loaded done = Checkpoints.read(file);
    Checkpoints.write(file, new dev.tapetrain.coordinator.TrainingState(0, List.of(), List.of(),
        0, Double.NaN, Double.NaN), done.numbers(), done.dataDigest(), -1);

    Runs.Result resume = Runs.run("--resume", run.toString());
    assertEquals(2, resume.exitCode(), resume.err());
    assertTrue(resume.err().contains(file + ": no checkpoint (the run stopped before its first "
        + "one; start it again: the command that started it with --resume-if-exists"),
        resume.err());
    Runs.Result again = Runs.run(job(run, "--steps", "40"));
    assertEquals(0, again.exitCode(), again.err());
    assertTrue(again.err().contains("stopped before its first checkpoint; starting it again"),
        again.err());
    assertEquals(Runs.steps(whole), Runs.steps(run), "every step once, the same bits");
    assertEquals(40, Checkpoints.read(file).state().steps());
  }

  /**
   * A run with a validation split recorded before 2026-12-07 (its numbers hold no
   * {@code held_out}: one chunk straddles its split) is continued by the same command with its
   * own chunks, as {@code --resume} continues it, not refused as another run.
   */
  @Test
  void aSplitRunRecordedBeforeSplitsWereChunkedApartGoesOnWithItsOwnChunks() throws Exception {
    // 790 training samples in chunks of 50: chunk 15 holds 750..799 in the recorded run.
    String[] first = {"--batch-size", "100", "--epochs", "1", "--validation-split", "0.21",
        "--chunk-size", "50"};
    String[] more = {"--batch-size", "100", "--epochs", "3", "--validation-split", "0.21",
        "--chunk-size", "50"};
    Path recorded = dir.resolve("recorded");
    assertEquals(0, Runs.run(job(recorded, first)).exitCode());
    Path fresh = dir.resolve("fresh");
    assertEquals(0, Runs.run(job(fresh, first)).exitCode());
    // The checkpoint as a build of before wrote it: the same numbers without held_out.
    Path file = recorded.resolve(Checkpoints.FILE);
    Checkpoints.Loaded c = Checkpoints.read(file);
    var numbers = c.numbers().toBuilder();
    numbers.getDatasetBuilder().clearHeldOut();
    Checkpoints.write(file, c.state(), numbers.build(), c.dataDigest(), c.lastLoggedStep());
    Path resumed = Runs.copyOf(recorded, dir.resolve("resumed"), "checkpoint.pb", "config.json",
        "steps.jsonl", "epochs.jsonl");

    Runs.Result again = Runs.run(job(recorded, more));
    assertEquals(0, again.exitCode(), again.err());
    assertTrue(again.err().contains("resuming " + recorded + " from step 8"), again.err());
    Runs.Result byResume = Runs.run("--resume", resumed.toString(), "--epochs", "3");
    assertEquals(0, byResume.exitCode(), byResume.err());
    assertEquals(Files.readString(resumed.resolve("epochs.jsonl")),
        Files.readString(recorded.resolve("epochs.jsonl")), "the recorded run's chunks");
    assertEquals(Runs.steps(resumed), Runs.steps(recorded));
    assertEquals(0, Runs.run(job(fresh, more)).exitCode());
    assertNotEquals(Files.readString(fresh.resolve("epochs.jsonl")),
        Files.readString(recorded.resolve("epochs.jsonl")),
        "a run of today chunks its split apart: other validation sums");
  }

  /** 300 rows of {@code x, y} drawn with {@code seed}, as Parquet in row groups of 120. */
  private Path parquet(long seed) throws Exception {
    Path p = dir.resolve("data.parquet");
    MessageType type = MessageTypeParser.parseMessageType(
        "message t { required double x; required double y; }");
    SimpleGroupFactory groups = new SimpleGroupFactory(type);
    Random rnd = new Random(seed);
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(p))
        .withConf(new PlainParquetConfiguration()).withCodecFactory(new PureJavaCodecs())
        .withType(type).withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .withRowGroupRowCountLimit(120).build()) {
      for (int i = 0; i < 300; i++) {
        double x = rnd.nextGaussian();
        w.write(groups.newGroup().append("x", x).append("y", 2 * x + 1 + rnd.nextGaussian()));
      }
    }
    return p;
  }

  /**
   * A Parquet run recorded before 2026-12-07 (each file identified by its whole SHA-256; today's
   * scan identifies it by its row-group line) is continued by the same command with its recorded
   * digests, as {@code --resume} continues it, not refused as another run; a changed file still
   * is.
   */
  @Test
  void aParquetRunRecordedWithWholeFileDigestsGoesOn() throws Exception {
    Path data = parquet(3);
    String[] first = {"--data", data.toString(), "--features", "x", "--target", "y", "--steps",
        "6", "--checkpoint-every", "3"};
    String[] more = {"--data", data.toString(), "--features", "x", "--target", "y", "--steps",
        "12", "--checkpoint-every", "3"};
    Path recorded = dir.resolve("recorded");
    assertEquals(0, Runs.run(job(recorded, first)).exitCode());
    // The checkpoint as a build of before wrote it: whole-file digests.
    Path file = recorded.resolve(Checkpoints.FILE);
    Checkpoints.Loaded c = Checkpoints.read(file);
    DatasetSpec now = ProtoCodec.fromProto(c.numbers().getDataset());
    List<FileSet.DataFile> old = new ArrayList<>();
    for (FileSet.DataFile f : FileSet.of(now.source()).files()) {
      old.add(new FileSet.DataFile(f.path(), f.rows(), CsvFile.sha256(f.path())));
    }
    FileSet before = new FileSet(old);
    Map<String, String> settings = new TreeMap<>(now.source().settings());
    settings.putAll(before.settings());
    DatasetSpec.Source s = now.source();
    DatasetSpec then = new DatasetSpec(new DatasetSpec.Source(s.format(), settings, s.columns(),
        s.target(), s.rows(), before.digest()), now.chunkSize());
    assertNotEquals(now.digest(), then.digest());
    var numbers = c.numbers().toBuilder().setDataset(ProtoCodec.toProto(then));
    Checkpoints.write(file, c.state(), numbers.build(), then.digest(), c.lastLoggedStep());
    Path resumed = Runs.copyOf(recorded, dir.resolve("resumed"), "checkpoint.pb", "config.json",
        "steps.jsonl");

    Runs.Result again = Runs.run(job(recorded, more));
    assertEquals(0, again.exitCode(), again.err());
    assertTrue(again.err().contains("resuming " + recorded + " from step 6"), again.err());
    Runs.Result byResume = Runs.run("--resume", resumed.toString(), "--steps", "12");
    assertEquals(0, byResume.exitCode(), byResume.err());
    assertEquals(Runs.steps(resumed), Runs.steps(recorded), "the recorded run's bits");

    // Other data, in another file or in the same one, are another run's, whichever way they
    // are digested.
    Files.copy(resumed.resolve("checkpoint.pb"), file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    String[] longer = more.clone();
    longer[7] = "20";
    Path other = Files.move(parquet(4), dir.resolve("other.parquet"));
    parquet(3);
    String[] elsewhere = longer.clone();
    elsewhere[1] = other.toString();
    Runs.Result moved = Runs.run(job(recorded, elsewhere));
    assertTrue(moved.err().contains("holds another run"), moved.err());
    parquet(4);
    Runs.Result changed = Runs.run(job(recorded, longer));
    assertTrue(changed.err().contains("holds another run"), changed.err());
    assertEquals(2, changed.exitCode(), changed.err());
  }
}
