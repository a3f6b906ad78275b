package dev.tapetrain.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A worker's answer split to fit the frame; a model too large for one message refused. */
class WireLimitsTest {

  private static ChunkResult node(int chunk, int values) {
    return new ChunkResult(chunk, 1, 0, List.of(new NamedTensor("w", new int[] {values},
        new double[values])));
  }

  @Test
  void resultsAreSplitIntoGroupsOfWholeNodesWithinTheLimit() {
    List<ChunkResult> results = new ArrayList<>();
    for (int c = 0; c < 10; c++) {
      results.add(node(c, 300));
    }
    List<List<ChunkResult>> parts = WireLimits.split(results, 1000);
    assertEquals(4, parts.size(), "3 nodes of 301 values a message, then the last one");
    assertEquals(results, parts.stream().flatMap(List::stream).toList(), "all, in order");
    assertEquals(1, WireLimits.split(List.of(node(0, 5000)), 1000).size(),
        "a node larger than the limit travels alone");
    assertEquals(List.of(List.of()), WireLimits.split(List.of(), 1000), "an empty answer is sent");
  }

  @Test
  void aModelTooLargeForOneMessageIsRefusedWithTheSettingToRaise() {
    var config = ConfigFactory.parseString(
        "akka.remote.artery.advanced.maximum-frame-size = 2 MiB");
    assertNull(WireLimits.checkModel(100_000, config));
    String tooBig = WireLimits.checkModel(1_000_000, config);
    assertTrue(tooBig.contains("the model has 1000000 parameters: 7.63 MiB in one message, over "
        + "the 1.80 MiB (90%) that may be used of Artery's maximum-frame-size of 2.00 MiB"),
        tooBig);
    // Just over the 90% line: the numbers must show the difference (not "2.0 over 2.0").
    String near = WireLimits.checkModel(259_000, config); // 1.98 MiB
    assertTrue(near.contains("1.98 MiB in one message, over the 1.80 MiB (90%)"), near);
    assertTrue(tooBig.contains("-Dakka.remote.artery.advanced.maximum-frame-size=16MiB"), tooBig);
  }

  @Test
  void aDatasetDescriptionTooLargeForOneMessageIsRefusedWithWhatToDo() {
    var config = ConfigFactory.parseString(
        "akka.remote.artery.advanced.maximum-frame-size = 2 MiB");
    assertNull(WireLimits.checkDataset(1_887_436, config)); // 90% of 2 MiB, rounded down
    String tooBig = WireLimits.checkDataset(2_500_000, config);
    assertTrue(tooBig.contains("takes 2.38 MiB in every shard assignment, over the 1.80 MiB "
        + "(90%) that may be used of Artery's maximum-frame-size of 2.00 MiB; join the files "
        + "into fewer, or raise it on every node with "
        + "-Dakka.remote.artery.advanced.maximum-frame-size=5MiB"), tooBig);
  }
}
