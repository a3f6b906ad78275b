package dev.tapetrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CsvBytes} finds line ends eight bytes at a time: the word test is exact for every byte
 * value at every position, and the lines are {@link BufferedReader#readLine}'s for text of
 * {@code \n}, {@code \r\n} and lone {@code \r} ends at every offset of a word and of the buffer.
 */
class CsvBytesTest {

  @TempDir
  Path dir;

  private static boolean naive(long w) {
    for (int k = 0; k < 8; k++) {
      int b = (int) (w >>> (8 * k)) & 0xff;
      if (b == '\n' || b == '\r') {
        return true;
      }
    }
    return false;
  }

  @Test
  void theWordTestFindsALineEndExactlyWhenOneOfItsBytesIsOne() {
    SplittableRandom r = new SplittableRandom(7);
    for (int v = 0; v < 256; v++) {
      for (int p = 0; p < 8; p++) {
        for (int t = 0; t < 50; t++) {
          long w = 0;
          for (int k = 0; k < 8; k++) {
            int b = k == p ? v : r.nextInt(256);
            w |= (long) b << (8 * k);
          }
          assertEquals(naive(w), CsvBytes.endsLine(w), Long.toHexString(w));
        }
      }
    }
    for (int t = 0; t < 1_000_000; t++) {
      long w = r.nextLong();
      assertEquals(naive(w), CsvBytes.endsLine(w), Long.toHexString(w));
    }
  }

  @Test
  void linesAreReadLinesForEveryLengthAndEnd() throws Exception {
    SplittableRandom r = new SplittableRandom(11);
    StringBuilder text = new StringBuilder();
    String[] ends = {"\n", "\r\n", "\r"};
    // Lines of 0 to 40 bytes (so every offset of an end within a word), past the 4 KiB buffer.
    for (int i = 0; i < 3_000; i++) {
      int n = r.nextInt(41);
      for (int k = 0; k < n; k++) {
        text.append((char) ('0' + r.nextInt(10)));
      }
      text.append(ends[r.nextInt(3)]);
    }
    text.append("last");
    Path p = dir.resolve("t.csv");
    Files.writeString(p, text, StandardCharsets.US_ASCII);
    List<String> expected = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new StringReader(text.toString()))) {
      String line;
      while ((line = in.readLine()) != null) {
        expected.add(line);
      }
    }
    List<String> got = new ArrayList<>();
    try (FileChannel ch = FileChannel.open(p)) {
      CsvBytes lines = new CsvBytes(ch, p, 0, ch.size());
      while (lines.next()) {
        got.add(lines.text());
      }
    }
    assertEquals(expected, got);
  }
}
