package dev.tapetrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The byte fast path ({@link CsvByteRow}) never decides differently from the text path
 * ({@link CsvScan#row} with {@link CsvLine}, the reference): on every line it accepts, its values
 * are the text path's bit for bit; on lines it passes over, the text path's verdict (a value or a
 * message) stands. And it does take the common lines, or it would be no fast path.
 */
class CsvByteRowTest {

  private static final Path FILE = Path.of("t.csv");
  private static final CsvHeader HEADER =
      CsvHeader.parse("a,x1,y,x2", FILE, 1, List.of("x1", "x2"), "y");

  /** The text path's verdict: the three values, or null if it refuses the line. */
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

  /** The fast path's answer, or null if it passes the line on. */
  private static double[] fast(String line) {
    byte[] b = ("junk" + line + "\r\n").getBytes(StandardCharsets.UTF_8);
    CsvByteRow row = new CsvByteRow();
    double[] x = new double[2];
    int from = 4;
    int to = b.length - 2;
    return row.parse(b, from, to, HEADER, x) ? new double[] {x[0], x[1], row.target()} : null;
  }

  private static void agree(String line) {
    double[] fast = fast(line);
    if (fast == null) {
      return;
    }
    double[] ref = reference(line);
    if (ref == null) {
      fail("the fast path accepted a line the text path refuses: '" + line + "'");
    }
    for (int i = 0; i < 3; i++) {
      assertEquals(Double.doubleToRawLongBits(ref[i]), Double.doubleToRawLongBits(fast[i]),
          "value " + i + " of '" + line + "'");
    }
  }

  @Test
  void commonLinesTakeTheFastPathWithTheTextPathsValues() {
    SplittableRandom r = new SplittableRandom(7);
    int taken = 0;
    for (int n = 0; n < 20_000; n++) {
      String[] cells = new String[4];
      for (int c = 0; c < 4; c++) {
        double v = Double.longBitsToDouble(r.nextLong());
        if (!Double.isFinite(v) || r.nextInt(3) == 0) {
          v = r.nextGaussian() * Math.pow(10, r.nextInt(-12, 12));
        }
        cells[c] = switch (r.nextInt(4)) {
          case 0 -> String.format(Locale.ROOT, "%.17g", v);
          case 1 -> Double.toString(v);
          case 2 -> Long.toString((long) (v * 1000));
          default -> " " + String.format(Locale.ROOT, "%.6e", v) + "\t";
        };
      }
      String line = String.join(",", cells);
      double[] fast = fast(line);
      assertTrue(fast != null, "a plain numeric line must take the fast path: '" + line + "'");
      assertArrayEquals(reference(line), fast, 0.0, line);
      taken++;
    }
    assertEquals(20_000, taken);
  }

  @Test
  void everyOtherLineIsLeftToTheTextPathOrAgreesWithIt() {
    String[] odd = {"", " ", "\t", ",,,", "a,1,2", "a,1,2,3,4", "a,,2,3", "a,1, ,3", "\"a\",1,2,3",
        "a,\"1\",2,3", "é,1,2,3", "a,1,2,3\u0000", "a,1e400,2,3", "a,-1e400,2,3", "a,NaN,2,3",
        "a,Infinity,2,3", "a,0x10,2,3", "a,1d,2,3", "a,1f,2,3", "a,1e,2,3", "a,.,2,3", "a,+,2,3",
        "a,1 2,2,3", "a,1\t2,2,3", " a , 1 , 2 , 3 ", "a,1,2,3 ", "a,1,2,\u007f3", "\u00a0a,1,2,3",
        "a,1,2,3\u3000", "a;1;2;3", "a,1.5E-7,+2,-.5", "a,1.,2,3", "a,0001,2,3", "a,1,2,3,"};
    for (String line : odd) {
      agree(line);
    }
    // Byte soup built from the characters that matter to the grammar and the cutting.
    SplittableRandom r = new SplittableRandom(11);
    String alphabet = "0123456789.,eE+- \t\"a\u0000é";
    for (int n = 0; n < 200_000; n++) {
      StringBuilder s = new StringBuilder();
      int len = r.nextInt(1, 20);
      for (int i = 0; i < len; i++) {
        s.append(alphabet.charAt(r.nextInt(alphabet.length())));
      }
      agree(s.toString());
    }
    // And the grammar's corners in a number cell: every string of up to 5 of its characters.
    String grammar = "01.eE+-";
    int[] digits = new int[6];
    for (int len = 1; len <= 5; len++) {
      int total = (int) Math.pow(grammar.length(), len);
      for (int k = 0; k < total; k++) {
        StringBuilder cell = new StringBuilder();
        for (int i = 0, v = k; i < len; i++, v /= grammar.length()) {
          cell.append(grammar.charAt(v % grammar.length()));
        }
        agree("a," + cell + ",2,3");
        boolean valid = reference("a," + cell + ",2,3") != null;
        digits[len] += valid && fast("a," + cell + ",2,3") == null ? 1 : 0;
      }
    }
    assertArrayEquals(new int[6], digits, "every valid number cell takes the fast path");
  }

  @Test
  void aRefusedLineIsNeverTakenSoItsMessageStaysTheTextPaths() {
    for (String line : new String[] {"a,x,2,3", "a,1,2", "a,1e999,2,3", "a,,2,3"}) {
      assertEquals(null, fast(line), line);
      assertEquals(null, reference(line), line);
    }
  }
}
