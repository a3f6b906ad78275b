package dev.tapetrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.protocol.DatasetSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a load says it read ({@link ShardLoader.Reads}, the worker's log line): its rows, the
 * files holding them and the bytes the readers counted, so a third of the chunks reads about a
 * third of the bytes; whole files for data recorded before manifests; nothing for generated
 * data; and "not counted" when another load of the JVM overlapped ({@link ReadCount}).
 */
class ShardReadsTest {

  @TempDir
  Path dir;

  private Path write(String name, int rows, long seed) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    StringBuilder b = new StringBuilder("a,b,y\n");
    for (int i = 0; i < rows; i++) {
      b.append(r.nextGaussian()).append(',').append(r.nextInt(-9, 10)).append(',')
          .append(r.nextDouble()).append('\n');
    }
    Path p = dir.resolve(name);
    Files.writeString(p, b);
    return p;
  }

  private DatasetSpec twoFiles() throws IOException {
    List<Path> files = List.of(write("p1.csv", 12_000, 1), write("p2.csv", 12_000, 2));
    InputFormat.Scanned s = ParquetFormatTest.scan(new CsvFormat(), files, "a,b", y -> null);
    return new DatasetSpec(s.source(), 200);
  }

  private static long size(DatasetSpec d) throws IOException {
    long n = 0;
    for (FileSet.DataFile f : FileSet.of(d.source()).files()) {
      n += Files.size(f.path());
    }
    return n;
  }

  @Test
  void aShareReadsItsFilesAndAboutItsShareOfTheBytes() throws IOException {
    DatasetSpec d = twoFiles();
    int n = d.numChunks();
    long total = size(d);
    long before = CsvPieceReader.BYTES_READ.sum();
    ShardLoader.Reads third = ShardLoader.load(d, IntStream.range(0, n / 3).boxed().toList())
        .reads();
    assertEquals(CsvPieceReader.BYTES_READ.sum() - before, third.bytes(),
        "the bytes the reader counted");
    assertEquals(1, third.files(), "a third of the rows lies in the first file");
    assertEquals(n / 3 * 200L, third.rows());
    assertTrue(third.bytes() > total / 3 * 9 / 10 && third.bytes() < total / 3 * 11 / 10,
        third.bytes() + " of " + total);
    assertTrue(third.describe().matches("loaded 8 000 rows: 0\\.\\d MB read from 1 file"),
        third.describe());
    ShardLoader.Reads all = ShardLoader.load(d, IntStream.range(0, n).boxed().toList()).reads();
    assertEquals(2, all.files());
    assertEquals(24_000, all.rows());
    assertTrue(all.bytes() <= total && all.bytes() > total * 9 / 10, all.bytes() + " of "
        + total);
  }

  @Test
  void dataRecordedBeforeManifestsReadWholeFiles() throws IOException {
    DatasetSpec d = twoFiles();
    Map<String, String> settings = new TreeMap<>(d.source().settings());
    assertNotNull(settings.remove(CsvManifest.SETTING));
    DatasetSpec old = new DatasetSpec(new DatasetSpec.Source(d.source().format(), settings,
        d.source().columns(), d.source().target(), d.source().rows(), d.source().digest()),
        d.chunkSize());
    ShardLoader.Reads one = ShardLoader.load(old, List.of(0)).reads();
    assertEquals(2, one.files());
    assertEquals(size(d), one.bytes(), "every file whole");
    assertEquals(200, one.rows());
  }

  @Test
  void generatedDataReadNothing() {
    DatasetSpec d = new DatasetSpec(DatasetSpec.Source.synthetic(1000, List.of(3.0), 2, 1, 7),
        100);
    ShardLoader.Reads r = ShardLoader.load(d, List.of(0, 1, 2)).reads();
    assertEquals("loaded 300 rows (generated: nothing read)", r.describe());
  }

  @Test
  void overlappingLoadsAreNotCounted() {
    ReadCount a = ReadCount.start();
    ReadCount b = ReadCount.start();
    assertEquals(-1, b.stop(), "b began while a ran");
    ReadCount c = ReadCount.start();
    assertEquals(-1, a.stop(), "c began while a ran");
    assertEquals(-1, c.stop(), "c began while a ran");
    ReadCount alone = ReadCount.start();
    assertEquals(0, alone.stop());
    assertEquals("loaded 10 rows from 2 files (bytes read not counted: another load in this "
        + "JVM ran at the same time)", new ShardLoader.Reads(10, 2, -1, null).describe());
  }

  @Test
  void aCacheLoadSaysWhatItCheckedOrThatItsBlocksWereCheckedBefore() {
    assertEquals("loaded 1 024 rows: 2.5 MB read from the column cache /c/x.cols",
        new ShardLoader.Reads(1024, 0, 2_500_000, "/c/x.cols").describe());
    assertEquals("loaded 64 rows from the column cache /c/x.cols (its blocks checked before)",
        new ShardLoader.Reads(64, 0, 0, "/c/x.cols").describe());
  }
}
