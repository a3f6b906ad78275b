package dev.tapetrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The CSV reader's numbers (fastdoubleparser, parsed in place in the line) are exactly
 * {@link Double#parseDouble}'s, bit for bit, on the hard cases of decimal-to-binary conversion
 * and on random bit patterns printed every usual way; and it accepts exactly the grammar the
 * reader always had.
 */
class CsvNumbersTest {

  /** The grammar as the reader's regular expression had it before the in-place parser. */
  private static final Pattern GRAMMAR =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

  private static final Path FILE = Path.of("t.csv");

  /** Parses {@code s} as the middle cell of a line, with spaces around it. */
  private static double parse(String s) {
    CsvLine cut = new CsvLine();
    cut.split("abc, " + s + " ,\"q\"", FILE, 2);
    return cut.number(1, "x", FILE, 2);
  }

  private static void same(String s) {
    double want = Double.parseDouble(s);
    if (!Double.isFinite(want)) {
      assertThrows(DataException.class, () -> parse(s), s);
      return;
    }
    assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(parse(s)),
        s + ": parseDouble " + want + ", the reader " + parse(s));
  }

  @Test
  void hardCasesGiveParseDoublesBits() {
    List<String> cases = new ArrayList<>(List.of(
        "0", "-0", "+0", "0.0", "-0.0", "1", "-1", "1e400", "-1e400", "1e-400", "-1e-400",
        "4.9e-324", "2.4703282292062327e-324", "2.4703282292062328e-324", // half min subnormal
        "2.2250738585072011e-308", "2.2250738585072012e-308", "2.2250738585072014e-308",
        "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
        "9007199254740993", "9007199254740992.5", "9007199254740993.0000000000000001",
        "0.1", "0.2", "0.3", "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124",
        "1.00000000000000011102230246251565404236316680908203126",
        "2.00000000000000044408920985006261616945266723632812500", // a tie: to even
        "123456789012345678901234567890e-10", "1e23", "8.41e21", "5e-324", "1e-5", "1E5",
        "1.e5", ".5", "5.", "0000000000000000001.5", "1.5e+0005", "1.5e-0005",
        "4.9406564584124654e-324", "2.225073858507201e-308",
        "0.000000000000000000000000000000000000000000001e-300",
        "3.14159265358979323846264338327950288419716939937510582097494459230781640628620899"));
    cases.add("1" + "0".repeat(308) + ".000000000000000000000000000001"); // 1e308, long
    cases.add("0." + "0".repeat(330) + "247032822920623272088284396434110686182529901307162382");
    for (String s : cases) {
      same(s);
    }
  }

  @Test
  void randomBitPatternsInEveryUsualPrintingGiveParseDoublesBits() {
    SplittableRandom rnd = new SplittableRandom(28);
    for (int i = 0; i < 5_000; i++) {
      double d = Double.longBitsToDouble(rnd.nextLong());
      if (!Double.isFinite(d)) {
        continue;
      }
      same(Double.toString(d));
      same(String.format(Locale.ROOT, "%.17g", d));
      same(String.format(Locale.ROOT, "%.17e", d));
      same(String.format(Locale.ROOT, "%.25e", d)); // more digits than a double has
      // the exact decimal midpoint between d and its upper neighbour: a tie to round to even
      same(new BigDecimal(d).add(new BigDecimal(Math.nextUp(d))).divide(BigDecimal.valueOf(2))
          .toString());
    }
  }

  @Test
  void acceptsExactlyTheGrammarItAlwaysHad() {
    List<String> texts = new ArrayList<>(List.of("", "-", "+", ".", "e5", "1e", "1e+", "1x",
        "--1", "1,5", "NaN", "Infinity", "-Infinity", "0x1p3", "1d", "1f", "1.5.2", "١٢",
        "1_000", "+.5", "-.e1", "5.e-3", ".5E+07"));
    SplittableRandom rnd = new SplittableRandom(7);
    String alphabet = "0123456789+-.eE xd";
    for (int i = 0; i < 20_000; i++) {
      StringBuilder b = new StringBuilder();
      for (int k = rnd.nextInt(8); k >= 0; k--) {
        b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
      }
      texts.add(b.toString());
    }
    for (String t : texts) {
      assertEquals(GRAMMAR.matcher(t).matches(), CsvLine.isDecimal(t, 0, t.length()), "'" + t
          + "'");
    }
  }

  @Test
  void cellsAreCutAsTheHeaderSplitterCutsThem() {
    SplittableRandom rnd = new SplittableRandom(3);
    String[] pieces = {"1.5", " 2 ", "\"3\"", " \"a,b\" ", "\"x\"\"y\"", "", "  ", "\t4\t"};
    CsvLine cut = new CsvLine();
    for (int i = 0; i < 2_000; i++) {
      StringBuilder line = new StringBuilder();
      for (int k = rnd.nextInt(5); k >= 0; k--) {
        line.append(pieces[rnd.nextInt(pieces.length)]).append(k > 0 ? "," : "");
      }
      String text = line.toString();
      List<String> want = CsvFile.split(text, FILE, 1);
      cut.split(text, FILE, 1);
      List<String> got = new ArrayList<>();
      for (int k = 0; k < cut.count(); k++) {
        got.add(cut.cell(k));
      }
      assertEquals(want, got, text);
    }
  }
}
