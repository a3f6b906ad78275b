package dev.tapetrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.protocol.DatasetSpec;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parquet's row-group digests: a worker verifies the footer and the row groups it reads, gets the
 * values of a whole-file read, and is refused for a differing row group it reads only.
 */
class ParquetRowGroupsTest {

  @TempDir
  Path dir;

  /** {@code d} as recorded before row-group digests: whole files' SHA-256, no lines. */
  private static DatasetSpec withoutDigests(DatasetSpec d) {
    DatasetSpec.Source s = ParquetIdentityTest.recordedBefore(d.source());
    Map<String, String> settings = new TreeMap<>(s.settings());
    assertNotNull(settings.remove(RowGroupDigests.SETTING));
    return new DatasetSpec(new DatasetSpec.Source(s.format(), settings, s.columns(),
        s.target(), s.rows(), s.digest()), d.chunkSize());
  }

  private static double[] flat(ShardLoader.Loaded loaded) {
    return loaded.segments().stream().flatMap(seg -> IntStream.range(0, seg.x().length + 1)
        .mapToObj(f -> f < seg.x().length ? seg.x()[f] : seg.y()))
        .flatMapToDouble(java.util.Arrays::stream).toArray();
  }

  @Test
  void aWorkerVerifiesOnlyTheRowGroupsItReadsAndGetsTheSameBits() throws Exception {
    // Ten row groups of 300 rows in two files cut inside a chunk.
    Path a = dir.resolve("a.parquet");
    Path b = dir.resolve("b.parquet");
    ParquetFormatTest.writeParquet(a, 0, 1_500);
    ParquetFormatTest.writeParquet(b, 1_500, 3_000);
    DatasetSpec d = new DatasetSpec(ParquetFormatTest.scan(new ParquetFormat(), List.of(a, b),
        "d,f,i32,i64", y -> null).source(), 100);
    DatasetSpec old = withoutDigests(d);
    for (List<Integer> share : List.of(IntStream.range(0, 30).boxed().toList(),
        List.of(0, 1, 2), List.of(14, 15), List.of(29))) {
      assertArrayEquals(flat(ShardLoader.load(old, share)), flat(ShardLoader.load(d, share)));
    }
    long before = RowGroupDigests.BYTES_READ.sum();
    ShardLoader.load(d, List.of(0, 1, 2)); // rows 0-299: row group 0 of a.parquet
    long read = RowGroupDigests.BYTES_READ.sum() - before;
    assertTrue(read < Files.size(a) / 3, read + " of " + Files.size(a) + " bytes hashed");

    // A byte inside row group 3 of b.parquet (its rows 900-1199, the dataset's 2400-2699).
    String line = d.source().setting(RowGroupDigests.SETTING).split("\n")[1];
    String[] group = line.split(" ")[2 + 3].split("[-:]");
    long at = (Long.parseLong(group[0]) + Long.parseLong(group[1])) / 2;
    try (RandomAccessFile f = new RandomAccessFile(b.toFile(), "rw")) {
      f.seek(at);
      int c = f.read();
      f.seek(at);
      f.write(c ^ 0x55);
    }
    assertEquals(d.digest(), ShardLoader.load(d, List.of(0, 15, 23)).digest());
    DataException refused = assertThrows(DataException.class,
        () -> ShardLoader.load(d, List.of(24)));
    assertTrue(refused.getMessage().startsWith(b + ": this copy differs from the "
        + "coordinator's (row group 3: SHA-256 "), refused.getMessage());
  }

  @Test
  void aWorkerWithEveryOtherChunkReadsEachRowGroupOnceAndGetsTheSameBits() throws Exception {
    // One file of ten row groups of 300 rows; chunks of 50 rows: six a row group. A worker that
    // took over every other chunk (as a lost worker's chunks are shared out) has three pieces
    // in each row group.
    Path a = dir.resolve("one.parquet");
    ParquetFormatTest.writeParquet(a, 0, 3_000);
    DatasetSpec d = new DatasetSpec(ParquetFormatTest.scan(new ParquetFormat(), List.of(a),
        "d,f,i32,i64", y -> null).source(), 50);
    List<Integer> everyOther = IntStream.range(0, 60).filter(c -> c % 2 == 0).boxed().toList();
    long before = dev.tapetrain.data.parquet.ParquetColumns.CHUNK_BYTES.sum();
    ShardLoader.Loaded together = ShardLoader.load(d, everyOther);
    long fetched = dev.tapetrain.data.parquet.ParquetColumns.CHUNK_BYTES.sum() - before;
    assertTrue(fetched <= Files.size(a), fetched + " bytes of column chunks fetched for a file "
        + "of " + Files.size(a) + ": some row group was read more than once");
    // The same values as each chunk read on its own.
    double[] alone = everyOther.stream().map(c -> flat(ShardLoader.load(d, List.of(c))))
        .flatMapToDouble(java.util.Arrays::stream).toArray();
    // Every other chunk: a segment each, so the flat layouts line up chunk by chunk.
    assertEquals(everyOther.size(), together.segments().size());
    double[] got = flat(together);
    assertArrayEquals(alone, got);
  }

  @Test
  void aFileOfManyRowGroupsOpensAReaderPerColumnNotPerRowGroup() throws Exception {
    // 3000 rows in row groups of 300 (streaming writers make thousands): a reader is made anew
    // for each column read (see ParquetColumns.use), and each walks the footer's row groups, so
    // one a row group and column made such files cost columns × row groups² (4000 row groups
    // of 40 000 rows: 45 s against pyarrow's 7, a new user's run of 2026-12-07).
    Path a = dir.resolve("many.parquet");
    ParquetFormatTest.writeParquet(a, 0, 3_000);
    DatasetSpec d = new DatasetSpec(ParquetFormatTest.scan(new ParquetFormat(), List.of(a),
        "d,f,i32,i64", y -> null).source(), 3_000);
    long before = dev.tapetrain.data.parquet.ParquetColumns.READERS_OPENED.sum();
    ShardLoader.Loaded all = ShardLoader.load(d, List.of(0));
    long opened = dev.tapetrain.data.parquet.ParquetColumns.READERS_OPENED.sum() - before;
    assertTrue(opened <= 5, opened + " readers for 5 columns of 10 row groups");
    // The values of each row group read on its own (chunks of 300 rows: one a row group).
    DatasetSpec byGroup = new DatasetSpec(d.source(), 300);
    double[][] columns = all.segments().get(0).x();
    for (int c = 0; c < 10; c++) {
      ShardLoader.Loaded one = ShardLoader.load(byGroup, List.of(c));
      for (int f = 0; f < columns.length; f++) {
        assertArrayEquals(java.util.Arrays.copyOfRange(columns[f], 300 * c, 300 * c + 300),
            java.util.Arrays.copyOfRange(one.segments().get(0).x()[f],
                one.segments().get(0).start(c), one.segments().get(0).start(c) + 300),
            "row group " + c + ", column " + f);
      }
    }
  }
}
