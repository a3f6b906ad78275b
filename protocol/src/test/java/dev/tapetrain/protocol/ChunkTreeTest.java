package dev.tapetrain.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The chunk tree: however the chunks are spread over workers (contiguous, scattered, a
 * mini-batch with chunks missing), adding each worker's complete nodes first and completing the
 * tree gives the same bits as the tree over single chunks; and a worker with a contiguous range
 * sends O(log chunks) nodes.
 */
class ChunkTreeTest {

  private static ChunkResult leaf(Random rnd, int c) {
    // Values of very different magnitudes, so another order of additions would show.
    double scale = Math.pow(10, rnd.nextInt(12) - 6);
    return new ChunkResult(c, 1 + rnd.nextInt(64), rnd.nextGaussian() * scale,
        List.of(NamedTensor.vector("w", rnd.nextGaussian() * scale, rnd.nextGaussian()),
            NamedTensor.scalar("b", rnd.nextGaussian() * scale)),
        List.of((double) rnd.nextInt(64)));
  }

  private static ChunkResult viaWorkers(List<ChunkResult> leaves, int chunks, int[] owner,
      int workers) {
    Map<Long, ChunkResult> received = new HashMap<>();
    for (int w = 0; w < workers; w++) {
      List<ChunkResult> mine = new ArrayList<>();
      for (ChunkResult r : leaves) {
        if (owner[r.chunk()] == w) {
          mine.add(r);
        }
      }
      for (ChunkResult node : ChunkTree.aggregate(mine, chunks)) {
        received.put(ChunkTree.key(node.chunk(), node.span()), node);
      }
    }
    return ChunkTree.sum(received, 0, ChunkTree.width(chunks));
  }

  @Test
  void anySpreadOfChunksOverWorkersGivesTheSameBits() {
    Random rnd = new Random(3);
    for (int chunks : new int[] {1, 2, 3, 7, 16, 37, 100}) {
      for (int trial = 0; trial < 20; trial++) {
        List<ChunkResult> leaves = new ArrayList<>();
        for (int c = 0; c < chunks; c++) {
          if (trial % 4 != 3 || rnd.nextInt(3) > 0) { // every 4th trial: a mini-batch
            leaves.add(leaf(rnd, c));
          }
        }
        if (leaves.isEmpty()) {
          continue;
        }
        ChunkResult one = viaWorkers(leaves, chunks, new int[chunks], 1);
        int workers = 1 + rnd.nextInt(8);
        int[] owner = new int[chunks];
        for (int c = 0; c < chunks; c++) {
          owner[c] = trial % 2 == 0 ? (int) ((long) c * workers / chunks) : rnd.nextInt(workers);
        }
        ChunkResult many = viaWorkers(leaves, chunks, owner, workers);
        assertEquals(one, many, chunks + " chunks over " + workers + " workers, trial " + trial);
        long count = leaves.stream().mapToLong(ChunkResult::count).sum();
        assertEquals(count, many.count());
      }
    }
  }

  @Test
  void theTreesOrderIsLeftHalfPlusRightHalf() {
    double[] v = {1e16, 1, -1e16, 1, 3};
    Map<Long, ChunkResult> leaves = new HashMap<>();
    for (int c = 0; c < v.length; c++) {
      leaves.put(ChunkTree.key(c, 1), new ChunkResult(c, 1, v[c], List.of()));
    }
    // ((v0 + v1) + (v2 + v3)) + v4, the half past the last chunk dropping out.
    double expected = ((v[0] + v[1]) + (v[2] + v[3])) + v[4];
    assertEquals(expected, ChunkTree.sum(leaves, 0, 8).lossSum(), 0.0);
    assertTrue(expected != (((v[0] + v[1]) + v[2]) + v[3]) + v[4], "the order matters here");
  }

  @Test
  void aContiguousRangeIsCoveredByLogarithmicallyManyNodes() {
    int chunks = 1000;
    for (int[] range : new int[][] {{0, 334}, {334, 667}, {667, 1000}, {0, 1000}}) {
      TreeSet<Integer> mine = new TreeSet<>();
      for (int c = range[0]; c < range[1]; c++) {
        mine.add(c);
      }
      List<int[]> nodes = ChunkTree.cover(mine, chunks);
      assertTrue(nodes.size() <= 2 * 10, nodes.size() + " nodes for " + (range[1] - range[0])
          + " chunks");
      assertEquals(range[1] - range[0], nodes.stream()
          .mapToInt(n -> Math.min(n[0] + n[1], chunks) - n[0]).sum(), "each chunk once");
    }
    TreeSet<Integer> all = new TreeSet<>();
    for (int c = 0; c < chunks; c++) {
      all.add(c);
    }
    assertEquals(1, ChunkTree.cover(all, chunks).size(), "one worker sends the root");
  }

  @Test
  void packedRowsAddInTheTreesOrderInPlace() {
    double[] v = {1e16, 1, -1e16, 1, 3, 1e-3, 7};
    ChunkRows rows = new ChunkRows(List.of(NamedTensor.scalar("b", 0)), 1, 2);
    for (int c = 0; c < v.length; c++) {
      rows.add(c, c + 1, new double[] {v[c], -v[c], 2 * v[c]});
    }
    List<ChunkResult> nodes = ChunkTree.aggregate(rows, v.length);
    // Seven chunks of a tree of width 8 form one node: (((0+1)+(2+3))+((4+5)+6)).
    assertEquals(1, nodes.size());
    double expected = ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + v[6]);
    double negated = ((-v[0] + -v[1]) + (-v[2] + -v[3])) + ((-v[4] + -v[5]) + -v[6]);
    assertEquals(expected, nodes.get(0).lossSum(), 0.0);
    assertEquals(negated, nodes.get(0).gradients().get(0).scalarValue(), 0.0);
    assertEquals(2 * expected, nodes.get(0).metricSums().get(0), 0.0);
    assertEquals(28, nodes.get(0).count());
    assertEquals(8, nodes.get(0).span());
  }

  @Test
  void rowsComeInAscendingChunkOrder() {
    ChunkRows rows = new ChunkRows(List.of(), 0, 1);
    rows.add(3, 1, new double[] {1});
    assertThrows(IllegalArgumentException.class, () -> rows.add(3, 1, new double[] {1}));
    assertThrows(IllegalArgumentException.class, () -> rows.add(2, 1, new double[] {1}));
    assertThrows(IllegalArgumentException.class,
        () -> ChunkTree.aggregate(rows, 3), "chunk 3 is outside 3 chunks");
  }

  @Test
  void aMiniBatchIsPreAddedAcrossUntouchedChunksWithTheSingleChunksBits() {
    Random rnd = new Random(28);
    for (int chunks : new int[] {1, 2, 5, 37, 1000, 4096}) {
      int width = ChunkTree.width(chunks);
      for (int trial = 0; trial < 16; trial++) {
        TreeSet<Integer> round = new TreeSet<>();
        int touched = 1 + rnd.nextInt(Math.min(chunks, 300));
        while (round.size() < touched) {
          round.add(rnd.nextInt(chunks));
        }
        int workers = 1 + rnd.nextInt(4);
        boolean contiguous = trial % 2 == 0;
        Map<Long, ChunkResult> singles = new HashMap<>();
        List<List<ChunkResult>> mine = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
          mine.add(new ArrayList<>());
        }
        for (int c : round) {
          ChunkResult leaf = leaf(rnd, c);
          singles.put(ChunkTree.key(c, 1), leaf);
          int w = contiguous ? (int) ((long) c * workers / chunks) : rnd.nextInt(workers);
          mine.get(w).add(leaf);
        }
        Map<Long, ChunkResult> received = new HashMap<>();
        for (List<ChunkResult> results : mine) {
          if (results.isEmpty()) {
            continue;
          }
          List<ChunkResult> nodes = ChunkTree.aggregate(ChunkRows.of(results), chunks, round);
          for (ChunkResult node : nodes) {
            assertEquals(0, node.chunk() % node.span(), "an aligned node");
            assertEquals(null, received.put(ChunkTree.key(node.chunk(), node.span()), node));
          }
          if (contiguous) {
            // One worker's run of chunks is at most two nodes per level of the tree.
            int levels = Integer.numberOfTrailingZeros(width) + 1;
            assertTrue(nodes.size() <= 2 * levels, nodes.size() + " nodes for "
                + results.size() + " touched chunks of " + chunks);
          }
        }
        String what = touched + " of " + chunks + " chunks over " + workers + " workers";
        // The same sums, bit for bit (the root's own range tag may differ: a lone chunk).
        assertEquals(sums(walk(singles, 0, width)), sums(ChunkTree.sum(received, 0, width)),
            what);
      }
    }
  }

  @Test
  void aMiniBatchRowMustBeOneOfTheRoundsChunks() {
    ChunkRows rows = new ChunkRows(List.of(), 0, 2);
    rows.add(1, 1, new double[] {1});
    rows.add(5, 1, new double[] {1});
    assertThrows(IllegalArgumentException.class,
        () -> ChunkTree.aggregate(rows, 8, new TreeSet<>(List.of(1, 2))));
  }

  private static ChunkResult sums(ChunkResult r) {
    return new ChunkResult(0, r.count(), r.lossSum(), r.gradients(), r.metricSums(), 1);
  }

  /** The tree walked node by node, empty halves included: the order sum must keep. */
  private static ChunkResult walk(Map<Long, ChunkResult> results, int lo, int size) {
    ChunkResult whole = results.get(ChunkTree.key(lo, size));
    if (whole != null || size == 1) {
      return whole;
    }
    ChunkResult left = walk(results, lo, size / 2);
    ChunkResult right = walk(results, lo + size / 2, size / 2);
    if (left == null || right == null) {
      return left == null ? right : left;
    }
    List<NamedTensor> grads = new ArrayList<>();
    for (int p = 0; p < left.gradients().size(); p++) {
      double[] a = left.gradients().get(p).values();
      double[] b = right.gradients().get(p).values();
      double[] sum = new double[a.length];
      for (int i = 0; i < sum.length; i++) {
        sum[i] = a[i] + b[i];
      }
      grads.add(left.gradients().get(p).withValues(sum));
    }
    List<Double> metrics = new ArrayList<>();
    for (int m = 0; m < left.metricSums().size(); m++) {
      metrics.add(left.metricSums().get(m) + right.metricSums().get(m));
    }
    return new ChunkResult(lo, left.count() + right.count(), left.lossSum() + right.lossSum(),
        grads, metrics, size);
  }

  @Test
  void aSparseRoundGivesTheFullWalksBitsAndLooksUpOnlyNodesOverItsChunks() {
    Random rnd = new Random(26);
    int chunks = 1 << 14;
    for (int touched : new int[] {1, 2, 3, 40, 226}) {
      Map<Long, ChunkResult> received = new HashMap<>();
      TreeSet<Integer> picked = new TreeSet<>();
      while (picked.size() < touched) {
        picked.add(rnd.nextInt(chunks));
      }
      int[] owner = new int[chunks];
      List<ChunkResult> mine0 = new ArrayList<>();
      List<ChunkResult> mine1 = new ArrayList<>();
      for (int c : picked) {
        owner[c] = rnd.nextInt(2);
        (owner[c] == 0 ? mine0 : mine1).add(leaf(rnd, c));
      }
      for (List<ChunkResult> mine : List.of(mine0, mine1)) {
        for (ChunkResult node : ChunkTree.aggregate(mine, chunks)) {
          received.put(ChunkTree.key(node.chunk(), node.span()), node);
        }
      }
      int[] lookups = {0};
      Map<Long, ChunkResult> counted = new HashMap<>(received) {
        @Override
        public ChunkResult get(Object key) {
          lookups[0]++;
          return super.get(key);
        }
      };
      ChunkResult root = ChunkTree.sum(counted, 0, ChunkTree.width(chunks));
      assertEquals(walk(received, 0, ChunkTree.width(chunks)), root, touched + " chunks");
      // A walk of every node looks up all 2 * 16384 - 1 of them; only the results (at most one
      // node per touched chunk) need looking up: the round's cost follows the batch.
      assertTrue(lookups[0] <= 15 * touched, lookups[0] + " lookups for " + touched
          + " chunks of " + chunks);
    }
  }
}
