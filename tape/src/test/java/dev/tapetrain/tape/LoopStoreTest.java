package dev.tapetrain.tape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Loops kept in a {@link LoopStore} are defined from its bytes in a later JVM (here: after
 * {@link CompiledFunction#forgetLoops}) without Janino, give the bits of the loop compiled from
 * the source, and bytes that are not that loop (damaged, or another loop's) are compiled again
 * and stored again, never a failure.
 */
class LoopStoreTest {

  /** A map, counting what it is asked and told. */
  static final class MemoryStore implements LoopStore {
    final Map<String, byte[]> entries = new ConcurrentHashMap<>();
    final List<String> loads = new ArrayList<>();
    final List<String> rejections = new ArrayList<>();

    @Override
    public synchronized byte[] load(String key) {
      loads.add(key);
      byte[] b = entries.get(key);
      return b == null ? null : b.clone();
    }

    @Override
    public void store(String key, byte[] bytes) {
      entries.put(key, bytes.clone());
    }

    @Override
    public synchronized void rejected(String key, String why) {
      rejections.add(key + ": " + why);
    }
  }

  /** A function of its own per constant {@code c}: a source no other test compiles. */
  private static CompiledFunction.Body body(double c) {
    return (v, s) -> {
      try (GradientTape tape = new GradientTape()) {
        tape.watch(s[0], s[1]);
        Tensor e = Ops.sub(Ops.tanh(Ops.add(Ops.mul(v[0], s[0]), s[1])), v[1]);
        Tensor loss = Ops.sum(Ops.mul(Ops.square(e), Tensor.scalar(c)));
        Tensor[] g = tape.gradient(loss, s[0], s[1]);
        return new Tensor[] {loss, g[0], g[1]};
      }
    };
  }

  private static final double[] SCALARS = {0.7, -0.2};

  @BeforeEach
  void newJvm() {
    CompiledFunction.forgetLoops(); // each test's sources are its own; this keeps it so
  }

  @AfterEach
  void noStore() {
    CompiledFunction.keepLoopsIn(null);
  }

  @Test
  void aStoredLoopIsDefinedWithoutJaninoAndGivesTheCompiledBits() throws Exception {
    MemoryStore store = new MemoryStore();
    CompiledFunction.keepLoopsIn(store);
    double[][] example = data(40, new Random(1));
    long before = LoopCache.compilations();
    CompiledFunction compiled = CompiledFunction.compile(body(1.25), example, SCALARS);
    assertEquals(before + 1, LoopCache.compilations(), "compiled by Janino");
    assertFalse(compiled.fromLoopStore());
    String key = LoopCache.key(compiled.source());
    assertEquals(List.of(key), List.copyOf(store.entries.keySet()), "its class files stored");

    CompiledFunction.forgetLoops(); // as a new JVM
    CompiledFunction loaded = CompiledFunction.compile(body(1.25), example, SCALARS);
    assertEquals(before + 1, LoopCache.compilations(), "Janino not called again");
    assertTrue(loaded.fromLoopStore());
    assertFalse(loaded.precompiled());
    assertTrue(store.rejections.isEmpty(), store.rejections.toString());

    double[][] v = data(1000, new Random(2));
    int[] lengths = {0, 1, 2, 3, 250, 744};
    double[] a = new double[3 * lengths.length];
    double[] b = new double[3 * lengths.length];
    compiled.applySegments(v, lengths, SCALARS, a);
    loaded.applySegments(v, lengths, SCALARS, b);
    assertArrayEquals(bits(a), bits(b));
  }

  @Test
  void damagedBytesAreCompiledAgainAndStoredAgain() throws Exception {
    double c = 2.5;
    for (String damage : List.of("truncated", "garbage", "a class file cut short", "empty")) {
      c += 0.125; // a source of its own each time
      MemoryStore store = new MemoryStore();
      CompiledFunction.keepLoopsIn(store);
      double[][] example = data(40, new Random(3));
      CompiledFunction first = CompiledFunction.compile(body(c), example, SCALARS);
      String key = LoopCache.key(first.source());
      byte[] good = store.entries.get(key);
      byte[] bad = switch (damage) {
        case "truncated" -> Arrays.copyOf(good, good.length / 2);
        case "garbage" -> new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
        case "empty" -> new byte[0];
        default -> cutClassFile(good);
      };
      store.entries.put(key, bad);
      CompiledFunction.forgetLoops();
      long before = LoopCache.compilations();
      CompiledFunction again = CompiledFunction.compile(body(c), example, SCALARS);
      assertFalse(again.fromLoopStore(), damage);
      assertEquals(before + 1, LoopCache.compilations(), damage + ": compiled again");
      assertEquals(1, store.rejections.size(), damage + ": said so once");
      assertArrayEquals(good, store.entries.get(key), damage + ": stored again");
    }
  }

  @Test
  void anotherLoopsBytesFailTheBitCheckAndAreReplaced() throws Exception {
    // Bytes that decode and define a loop, but not this source's (what the check against the
    // eager tape guards against): the loop of another constant, stored under this one's key.
    MemoryStore store = new MemoryStore();
    CompiledFunction.keepLoopsIn(store);
    double[][] example = data(40, new Random(4));
    CompiledFunction other = CompiledFunction.compile(body(30.0), example, SCALARS);
    CompiledFunction mine = CompiledFunction.compile(body(50.0), example, SCALARS);
    String otherKey = LoopCache.key(other.source());
    String myKey = LoopCache.key(mine.source());
    assertNotEquals(otherKey, myKey);
    byte[] myBytes = store.entries.get(myKey);
    store.entries.put(myKey, store.entries.get(otherKey));
    CompiledFunction.forgetLoops();
    long before = LoopCache.compilations();
    CompiledFunction again = CompiledFunction.compile(body(50.0), example, SCALARS);
    assertFalse(again.fromLoopStore());
    assertEquals(before + 1, LoopCache.compilations());
    assertEquals(1, store.rejections.size());
    assertTrue(store.rejections.get(0).contains("where the tape gives"), store.rejections.get(0));
    assertArrayEquals(myBytes, store.entries.get(myKey), "stored again");

    // Without leave to compile now, such bytes give no loop (the caller waits and compiles).
    store.entries.put(myKey, store.entries.get(otherKey));
    CompiledFunction.forgetLoops();
    assertEquals(null, CompiledFunction.compile(body(50.0), example, SCALARS, false));
  }

  @Test
  void theKeyCoversTheSourceJaninoAndTheFormat() throws Exception {
    assertEquals("3.1.12", LoopCache.JANINO_VERSION, "filled in by the build from the pom");
    MemoryStore store = new MemoryStore();
    CompiledFunction.keepLoopsIn(store);
    double[][] example = data(40, new Random(5));
    CompiledFunction a = CompiledFunction.compile(body(7.0), example, SCALARS);
    String source = a.source();
    assertNotEquals(a.sourceSha256(), LoopCache.key(source), "not the source's digest alone");
    assertEquals(PrecompiledLoops.sha256("tapetrain compiled loop, format "
        + LoopCache.FORMAT_VERSION + ", janino 3.1.12\n" + source), LoopCache.key(source));
    // Another source asks for its own key and, finding nothing there, compiles.
    long before = LoopCache.compilations();
    store.loads.clear();
    CompiledFunction b = CompiledFunction.compile(body(7.5), example, SCALARS);
    assertEquals(List.of(LoopCache.key(b.source())), store.loads);
    assertFalse(b.fromLoopStore());
    assertEquals(before + 1, LoopCache.compilations());
    assertEquals(2, store.entries.size());
  }

  @Test
  void withoutAStoreNothingIsAskedOrKept() throws Exception {
    MemoryStore store = new MemoryStore();
    CompiledFunction.keepLoopsIn(store);
    CompiledFunction.keepLoopsIn(null);
    CompiledFunction f = CompiledFunction.compile(body(9.0), data(40, new Random(6)), SCALARS);
    assertFalse(f.fromLoopStore());
    assertTrue(store.entries.isEmpty() && store.loads.isEmpty());
  }

  /** The encoding with its first class file cut to half its length (lengths kept consistent). */
  private static byte[] cutClassFile(byte[] good) throws Exception {
    Map<String, byte[]> classes = LoopCache.decode(good);
    String name = classes.keySet().iterator().next();
    byte[] cls = classes.get(name);
    classes.put(name, Arrays.copyOf(cls, cls.length / 2));
    byte[] bad = LoopCache.encode(classes);
    assertNotNull(LoopCache.decode(bad));
    return bad;
  }

  private static double[][] data(int n, Random random) {
    double[][] v = new double[2][n];
    for (int i = 0; i < n; i++) {
      v[0][i] = random.nextGaussian();
      v[1][i] = random.nextGaussian();
    }
    return v;
  }

  private static long[] bits(double[] values) {
    long[] b = new long[values.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = Double.doubleToLongBits(values[i]);
    }
    return b;
  }
}
