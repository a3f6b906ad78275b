package dev.tapetrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.protocol.DatasetSpec;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Parquet file's identity since 2026-12-07 ({@link RowGroupDigests#identity}): the SHA-256 of
 * its row-group line, so the scan hashes each byte once; a resumed run recomputes it and sees a
 * changed byte anywhere in the file; runs recorded before, with each file's whole SHA-256,
 * still resume and load; a line that is not the recorded identity's is refused.
 */
class ParquetIdentityTest {

  @TempDir
  Path dir;

  /**
   * {@code s} as a scan before 2026-12-07 recorded it: the same row-group lines, each file's
   * whole SHA-256 as its digest, the dataset's digest made from those.
   */
  static DatasetSpec.Source recordedBefore(DatasetSpec.Source s) {
    FileSet now = FileSet.of(s);
    List<FileSet.DataFile> old = new ArrayList<>();
    for (FileSet.DataFile f : now.files()) {
      old.add(new FileSet.DataFile(f.path(), f.rows(), CsvFile.sha256(f.path())));
    }
    FileSet before = new FileSet(old);
    Map<String, String> settings = new TreeMap<>(s.settings());
    settings.putAll(before.settings());
    return new DatasetSpec.Source(s.format(), settings, s.columns(), s.target(), s.rows(),
        before.digest());
  }

  private List<Path> twoFiles() {
    Path a = dir.resolve("a.parquet");
    Path b = dir.resolve("b.parquet");
    ParquetFormatTest.writeParquet(a, 0, 1_500);
    ParquetFormatTest.writeParquet(b, 1_500, 3_000);
    return List.of(a, b);
  }

  private static DatasetSpec.Source scan(List<Path> files) {
    return ParquetFormatTest.scan(new ParquetFormat(), files, "d,f,i32,i64", y -> null)
        .source();
  }

  private static void flip(Path file, long at) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(at);
      int c = f.read();
      f.seek(at);
      f.write(c ^ 0x55);
    }
  }

  private static long[] bits(ShardLoader.Loaded loaded) {
    return loaded.segments().stream().flatMapToDouble(seg -> IntStream.range(0,
            seg.x().length + 1).mapToObj(f -> f < seg.x().length ? seg.x()[f] : seg.y())
            .flatMapToDouble(java.util.Arrays::stream))
        .mapToLong(Double::doubleToRawLongBits).toArray();
  }

  @Test
  void eachFilesDigestIsItsRowGroupLinesAndAResumeSeesAnyChangedByte() throws Exception {
    List<Path> files = twoFiles();
    DatasetSpec.Source s = scan(files);
    String[] lines = s.setting(RowGroupDigests.SETTING).split("\n");
    FileSet set = FileSet.of(s);
    for (int k = 0; k < 2; k++) {
      assertEquals("rg1:" + dev.tapetrain.protocol.Hashing.sha256Hex(
          lines[k].getBytes(java.nio.charset.StandardCharsets.UTF_8)), set.files().get(k).digest());
    }
    assertEquals(s.digest(), new ParquetFormat().digestNow(s), "unchanged files resume");
    // A byte in a row group of b, then one in a's footer (outside every row group).
    long inGroup = Long.parseLong(lines[1].split(" ")[3].split("-")[0]) + 7;
    flip(files.get(1), inGroup);
    assertNotEquals(s.digest(), new ParquetFormat().digestNow(s), "a row group changed");
    flip(files.get(1), inGroup);
    assertEquals(s.digest(), new ParquetFormat().digestNow(s));
    // The leading magic number: outside every row group, read by nobody but the hash.
    flip(files.get(0), 1);
    assertNotEquals(s.digest(), new ParquetFormat().digestNow(s), "a byte outside the groups");
  }

  @Test
  void runsRecordedWithWholeFileDigestsStillResumeAndLoadTheSameBits() throws Exception {
    List<Path> files = twoFiles();
    DatasetSpec.Source now = scan(files);
    DatasetSpec.Source old = recordedBefore(now);
    assertNotEquals(now.digest(), old.digest());
    assertEquals(old.digest(), new ParquetFormat().digestNow(old), "an old run resumes");
    DatasetSpec d = new DatasetSpec(old, 100);
    DatasetSpec n = new DatasetSpec(now, 100);
    for (List<Integer> share : List.of(List.of(0, 1, 2), List.of(14, 15, 16), List.of(29))) {
      ShardLoader.Loaded a = ShardLoader.load(d, share);
      assertEquals(old.digest(), a.digest(), "the digest a worker reports in an old run");
      assertArrayEquals(bits(ShardLoader.load(n, share)), bits(a));
    }
    long inGroup = Long.parseLong(now.setting(RowGroupDigests.SETTING).split("\n")[0]
        .split(" ")[2].split("-")[0]) + 3;
    flip(files.get(0), inGroup);
    assertNotEquals(old.digest(), new ParquetFormat().digestNow(old), "an old run sees it");
    assertThrows(DataException.class, () -> ShardLoader.load(d, List.of(0)));
  }

  @Test
  void aRowGroupLineThatIsNotTheFilesRecordedIdentityIsRefused() throws Exception {
    List<Path> files = twoFiles();
    DatasetSpec.Source s = scan(files);
    // Another file's line in its place (it would check another copy's bytes): refused, even
    // though the row groups a worker reads would match the line.
    Map<String, String> settings = new TreeMap<>(s.settings());
    String[] lines = s.setting(RowGroupDigests.SETTING).split("\n");
    ParquetFormatTest.writeParquet(files.get(1), 1_501, 3_001);
    String other = scan(List.of(files.get(1))).setting(RowGroupDigests.SETTING);
    settings.put(RowGroupDigests.SETTING, lines[0] + "\n" + other);
    DatasetSpec d = new DatasetSpec(new DatasetSpec.Source(s.format(), settings, s.columns(),
        s.target(), s.rows(), s.digest()), 100);
    DataException e = assertThrows(DataException.class,
        () -> ShardLoader.load(d, List.of(29)));
    assertTrue(e.getMessage().contains("the data's manifest is damaged"), e.getMessage());
    assertTrue(e.getMessage().contains("b.parquet"), e.getMessage());
  }
}
