package dev.tapetrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-pass path ({@link CsvStrictRow}, through {@link CsvBytes#nextRow}) never decides
 * differently from the text path ({@link CsvScan#row}): a line it takes has the text path's
 * values bit for bit and ends where the text's line ends; a line it leaves is the text path's to
 * judge; it takes the common lines. And a file read by it with {@link CsvBytes#next} for the
 * rest has the lines, offsets and values of an independent reading ({@code String.split},
 * {@link Double#parseDouble}), for every line end, blank lines, no final newline and lines cut
 * by the buffer.
 */
class CsvStrictRowTest {

  @TempDir
  Path dir;

  private static final Path FILE = Path.of("t.csv");
  private static final CsvHeader HEADER =
      CsvHeader.parse("a,x1,y,x2", FILE, 1, List.of("x2", "x1"), "y");

  /** The text path's verdict on a line: x2, x1, y; or null if it refuses it. */
  private static double[] reference(String line) {
    if (line.isBlank()) {
      return null;
    }
    double[] x = new double[2];
    try {
      double y = CsvScan.row(new CsvLine(), line, FILE, 2, HEADER, x);
      return new double[] {x[0], x[1], y};
    } catch (DataException e) {
      return null;
    }
  }

  /** The one-pass path's answer on {@code line + end}, or null if it leaves the line. */
  private static double[] strict(String line, String end) {
    byte[] b = ("junk" + line + end + "more").getBytes(StandardCharsets.UTF_8);
    int limit = b.length - 4;
    CsvStrictRow row = new CsvStrictRow(HEADER);
    double[] x = new double[2];
    int t = row.parse(b, 4, limit, x);
    if (t < 0) {
      return null;
    }
    assertEquals(limit - end.length(), t, "where '" + line + "' ends");
    return new double[] {x[0], x[1], row.target()};
  }

  private static void agree(String line) {
    for (String end : new String[] {"\n", "\r\n", "\r"}) {
      double[] got = strict(line, end);
      if (got == null) {
        continue;
      }
      double[] ref = reference(line);
      if (ref == null) {
        fail("the one-pass path took a line the text path refuses: '" + line + "'");
      }
      for (int i = 0; i < 3; i++) {
        assertEquals(Double.doubleToRawLongBits(ref[i]), Double.doubleToRawLongBits(got[i]),
            "value " + i + " of '" + line + "'");
      }
    }
    // Without its end in the bytes, no line is taken: more of it may follow in the file.
    assertEquals(null, strict(line, ""), line);
  }

  /** A number printed one of the usual ways. */
  private static String number(SplittableRandom r) {
    double v = Double.longBitsToDouble(r.nextLong());
    if (!Double.isFinite(v) || r.nextInt(3) > 0) {
      v = r.nextGaussian() * Math.pow(10, r.nextInt(-12, 12));
    }
    return switch (r.nextInt(6)) {
      case 0, 1 -> String.format(Locale.ROOT, "%.17g", v);
      case 2 -> Double.toString(v);
      case 3 -> Long.toString((long) (v * 1000));
      case 4 -> String.format(Locale.ROOT, "%.25f", v); // past 19 digits: fastdoubleparser
      default -> String.format(Locale.ROOT, "%.6E", v);
    };
  }

  @Test
  void plainLinesAreTakenWithTheTextPathsValues() {
    SplittableRandom r = new SplittableRandom(7);
    for (int n = 0; n < 30_000; n++) {
      String line = "n" + n + "," + number(r) + "," + number(r) + "," + number(r);
      double[] got = strict(line, "\n");
      assertTrue(got != null, "a plain line must be taken: '" + line + "'");
      assertArrayEquals(reference(line), got, 0.0, line);
      agree(line);
    }
  }

  @Test
  void everyOtherLineIsLeftToTheTextPathOrAgreesWithIt() {
    String[] odd = {"", " ", "\t", ",,,", "a,1,2", "a,1,2,3,4", "a,,2,3", "a,1, ,3", "\"a\",1,2,3",
        "a,\"1\",2,3", "é,1,2,3", "a,1,2,3\u0000", "a,1e400,2,3", "a,-1e400,2,3", "a,NaN,2,3",
        "a,Infinity,2,3", "a,0x10,2,3", "a,1d,2,3", "a,1f,2,3", "a,1e,2,3", "a,.,2,3", "a,+,2,3",
        "a,1 2,2,3", "a,1\t2,2,3", " a , 1 , 2 , 3 ", "a,1,2,3 ", "a,1,2,\u007f3", "\u00a0a,1,2,3",
        "a,1,2,3\u3000", "a;1;2;3", "a,1.5E-7,+2,-.5", "a,1.,2,3", "a,0001,2,3", "a,1,2,3,",
        "a,1e-400,-0,0.000", "a,-0.0,0e999999999999,1", "a,00000000000000000000001.5,2,3",
        "a,12345678901234567890,2,3", "a,0.0000000000000000000012345678901234567,2,3",
        "a,1e+0000000000000000000000005,2,3", "a,4.9e-324,2.2250738585072011e-308,3",
        "a,1.7976931348623157e308,1.7976931348623159e308,3", "a,9007199254740993,2,3",
        "\"q,1,2,3", "\"1,2,3,4", "q\",1,2,3", "\"q\",1,2,3", "\"q,1\",2,3,4"};
    for (String line : odd) {
      agree(line);
    }
    SplittableRandom r = new SplittableRandom(11);
    String alphabet = "0123456789.,eE+- \t\"a\u0000é\r\n";
    for (int n = 0; n < 200_000; n++) {
      StringBuilder s = new StringBuilder();
      int len = r.nextInt(1, 24);
      for (int i = 0; i < len; i++) {
        s.append(alphabet.charAt(r.nextInt(alphabet.length())));
      }
      String line = s.toString();
      if (line.indexOf('\n') < 0 && line.indexOf('\r') < 0) {
        agree(line);
      } else {
        // A line end inside: the path must stop at the first one or leave the line.
        int first = Math.min(line.indexOf('\n') < 0 ? len : line.indexOf('\n'),
            line.indexOf('\r') < 0 ? len : line.indexOf('\r'));
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        int t = new CsvStrictRow(HEADER).parse(b, 0, b.length, new double[2]);
        assertTrue(t < 0 || t == line.substring(0, first).getBytes(StandardCharsets.UTF_8)
            .length, line);
      }
    }
    // Every number cell of up to 5 grammar characters: valid ones are taken.
    String grammar = "01.eE+-";
    for (int len = 1; len <= 5; len++) {
      int total = (int) Math.pow(grammar.length(), len);
      for (int k = 0; k < total; k++) {
        StringBuilder cell = new StringBuilder();
        for (int i = 0, v = k; i < len; i++, v /= grammar.length()) {
          cell.append(grammar.charAt(v % grammar.length()));
        }
        String line = "a," + cell + ",2," + cell;
        agree(line);
        assertEquals(reference(line) != null, strict(line, "\n") != null, line);
      }
    }
  }

  @Test
  void aLineWhoseEndTheBufferCutsIsNotTakenOnAGuess() throws Exception {
    // The first read fills 1 MiB: put a line's \r as its last byte, its \n (or the next line,
    // for a lone \r) as the next read's first; then as the buffer's second-to-last byte.
    for (String end : new String[] {"\r\n", "\r"}) {
      for (int at : new int[] {(1 << 20) - 1, (1 << 20) - 2}) {
        String header = "a,x1,y,x2\n";
        String line = "n,1,2,3" + end; // the \r is its 8th byte
        int first = at - header.length() - 7; // where the line whose \r is at `at` starts
        int count = first / line.length();
        int pad = first - count * line.length() + line.length(); // one longer line first
        StringBuilder text = new StringBuilder(header);
        text.append("n,1,2,").append("0".repeat(pad - 6 - end.length() - 1)).append('4')
            .append(end);
        for (int i = 0; i < count + 3000; i++) {
          text.append(line);
        }
        assertEquals('\r', text.charAt(at), "the layout");
        Path p = dir.resolve("cut.csv");
        Files.writeString(p, text, StandardCharsets.US_ASCII);
        int rows = 0;
        try (FileChannel ch = FileChannel.open(p)) {
          CsvBytes in = new CsvBytes(ch, p, 0, ch.size());
          assertTrue(in.next());
          CsvStrictRow row = new CsvStrictRow(HEADER);
          double[] x = new double[2];
          while (in.nextRow(row, x) || in.next()) {
            assertEquals(rows == 0 ? "n,1,2," + "0".repeat(pad - 6 - end.length() - 1) + "4"
                : "n,1,2,3", in.text(), "row " + rows + " at " + in.start());
            rows++;
          }
        }
        assertEquals(count + 3001, rows, end.replace("\r", "CR").replace("\n", "LF") + at);
      }
    }
  }

  @Test
  void aFileReadThisWayIsAnIndependentReadingOfIt() throws Exception {
    SplittableRandom r = new SplittableRandom(3);
    String[] ends = {"\n", "\r\n", "\r"};
    StringBuilder text = new StringBuilder("a,x1,y,x2\n");
    List<String> lines = new ArrayList<>();
    // Past the 1 MiB buffer, so lines are cut by refills at every kind of place.
    while (text.length() < (3 << 19)) {
      String line = switch (r.nextInt(40)) {
        case 0 -> "";
        case 1 -> " \t ";
        case 2 -> "\"q, q\"," + number(r) + "," + number(r) + "," + number(r);
        case 3 -> "b, " + number(r) + " ," + number(r) + "," + number(r);
        default -> "n," + number(r) + "," + number(r) + "," + number(r);
      };
      if (line.isEmpty() && text.charAt(text.length() - 1) == '\r') {
        line = " "; // "\r" then an empty line's "\n" would be one CRLF
      }
      lines.add(line);
      text.append(line).append(ends[r.nextInt(ends.length)]);
    }
    lines.add("n,1,2,3"); // not blank: a file that ends without a line end keeps its last line
    text.append("n,1,2,3").append(ends[r.nextInt(ends.length)]);
    for (boolean finalEnd : new boolean[] {true, false}) {
      String all = finalEnd ? text.toString() : text.substring(0, text.length()
          - (text.charAt(text.length() - 1) == '\n' && text.charAt(text.length() - 2) == '\r'
          ? 2 : 1));
      Path p = dir.resolve("f" + finalEnd + ".csv");
      Files.writeString(p, all, StandardCharsets.UTF_8);
      List<String> got = new ArrayList<>();
      List<Long> starts = new ArrayList<>();
      int taken = 0;
      try (FileChannel ch = FileChannel.open(p)) {
        CsvBytes in = new CsvBytes(ch, p, 0, ch.size());
        assertTrue(in.next()); // the header
        CsvStrictRow row = new CsvStrictRow(HEADER);
        double[] x = new double[2];
        while (true) {
          boolean plain = in.nextRow(row, x);
          if (!plain && !in.next()) {
            break;
          }
          String line = in.text();
          got.add(line);
          starts.add(in.start());
          if (plain) {
            taken++;
            // The values by String.split and parseDouble: x2 is the fourth cell, x1 the second.
            String[] cells = line.split(",", -1);
            assertEquals(4, cells.length, line);
            assertEquals(Double.doubleToRawLongBits(Double.parseDouble(cells[3])),
                Double.doubleToRawLongBits(x[0]), line);
            assertEquals(Double.doubleToRawLongBits(Double.parseDouble(cells[1])),
                Double.doubleToRawLongBits(x[1]), line);
            assertEquals(Double.doubleToRawLongBits(Double.parseDouble(cells[2])),
                Double.doubleToRawLongBits(row.target()), line);
          }
        }
      }
      for (int i = 0; i < Math.min(lines.size(), got.size()); i++) {
        assertEquals(lines.get(i), got.get(i), "line " + i);
      }
      assertEquals(lines.size(), got.size());
      // Every line starts just past the previous one's text and end.
      long at = "a,x1,y,x2\n".length();
      for (int i = 0; i < lines.size(); i++) {
        assertEquals(at, starts.get(i), "line " + i);
        at += lines.get(i).getBytes(StandardCharsets.UTF_8).length;
        at += all.startsWith("\r\n", (int) at) ? 2 : 1; // ASCII up to here but "é"-free lines
      }
      assertTrue(taken > lines.size() * 8 / 10, taken + " of " + lines.size() + " taken");
    }
  }
}
