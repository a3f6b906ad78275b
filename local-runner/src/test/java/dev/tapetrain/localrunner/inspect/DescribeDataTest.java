package dev.tapetrain.localrunner.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tapetrain.coordinator.run.Json;
import org.junit.jupiter.api.Test;

/**
 * {@code inspect}'s data line, from config.json's {@code dataset} as runs record it: every
 * Parquet run and every run of many files read "synthetic, 0 samples" or an empty path (a new
 * user's finding, 2026-12-07).
 */
class DescribeDataTest {

  private static String line(String dataset) throws Exception {
    return RunReport.describeData(Json.MAPPER.readTree(dataset));
  }

  @Test
  void oneFileIsNamedWithItsFormatAndRows() throws Exception {
    assertEquals("/d/clean.parquet (parquet, 20000 rows), 313 chunks of 64",
        line("{\"kind\":\"parquet\",\"path\":\"/d/clean.parquet\",\"rows\":20000,"
            + "\"chunk_size\":64,\"chunks\":313}"));
    assertEquals("/d/train.csv (csv, 1000 rows), 16 chunks of 64",
        line("{\"kind\":\"csv\",\"path\":\"/d/train.csv\",\"rows\":1000,"
            + "\"chunk_size\":64,\"chunks\":16}"));
  }

  @Test
  void manyFilesAreCountedWithTheFirstAndTheLast() throws Exception {
    assertEquals("3 files, /p/a.csv … /p/c.csv (csv, 12000 rows), 188 chunks of 64",
        line("{\"kind\":\"csv\",\"paths\":\"/p/a.csv\\n/p/b.csv\\n/p/c.csv\",\"rows\":12000,"
            + "\"chunk_size\":64,\"chunks\":188}"));
  }

  @Test
  void syntheticDataIsItsSizeAndSeed() throws Exception {
    assertEquals("synthetic, 1000 samples, seed 42, 16 chunks of 64",
        line("{\"kind\":\"synthetic\",\"examples\":1000,\"seed\":42,\"rows\":1000,"
            + "\"chunk_size\":64,\"chunks\":16}"));
  }

  @Test
  void aFormatWithoutFilesIsNamedByItsKind() throws Exception {
    assertEquals("from its input format (my-db, 500 rows), 8 chunks of 64",
        line("{\"kind\":\"my-db\",\"rows\":500,\"chunk_size\":64,\"chunks\":8}"));
  }
}
