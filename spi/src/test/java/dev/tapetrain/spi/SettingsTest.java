package dev.tapetrain.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Declared settings: values reach a plug-in as canonical texts that read back to the same
 * numbers, defaults fill what was not given, and every bad value is one line naming how it was
 * given, the value and the range.
 */
class SettingsTest {

  private static final Setting HIDDEN = Setting.integer("hidden", 16, Setting.Range.atLeast(1),
      "hidden units");
  private static final Setting MOMENTUM = Setting.number("momentum", 0.9,
      Setting.Range.atLeast(0).below(1), "decay");
  private static final Setting EPSILON = Setting.number("epsilon", 1e-7,
      Setting.Range.above(0), "guard");
  private static final Setting INIT_W = Setting.numbers("init-w", List.of(5.0),
      Setting.Range.ANY, "weights");
  private static final Setting NESTEROV = Setting.flag("nesterov", "Nesterov");
  private static final Setting PATH = Setting.text("path", null, "a file");
  private static final List<Setting> ALL = List.of(HIDDEN, MOMENTUM, EPSILON, INIT_W,
      NESTEROV);

  private static Settings of(Map<String, String> given) {
    return Settings.of(ALL, given, n -> "--" + n);
  }

  @Test
  void defaultsFillWhatWasNotGivenAndValuesReadBackExactly() {
    Settings s = of(Map.of("momentum", "0.1", "init-w", " 1, -2.5e-3 "));
    assertEquals(16, s.integer("hidden"));
    assertEquals(0.1, s.number("momentum"));
    assertEquals(1e-7, s.number("epsilon"));
    assertEquals(List.of(1.0, -2.5e-3), s.numbers("init-w"));
    assertEquals(false, s.flag("nesterov"));
    // Canonical texts: Double.toString, which parses back to the same bits.
    assertEquals(Map.of("hidden", "16", "momentum", "0.1", "epsilon", "1.0E-7",
        "init-w", "1.0,-0.0025", "nesterov", "false"), s.texts());
    double odd = Math.nextUp(0.3);
    assertEquals(odd, of(Map.of("momentum", Double.toString(odd))).number("momentum"));
    assertEquals(s, of(Map.of("momentum", "1e-1", "init-w", "1,-0.0025")), "same numbers, "
        + "same settings");
  }

  @Test
  void badValuesAreOneLineNamingTheOptionTheValueAndTheRange() {
    assertEquals("--hidden must be at least 1, got 0",
        assertThrows(UserError.class, () -> of(Map.of("hidden", "0"))).getMessage());
    assertEquals("--hidden: 'x' is not an integer",
        assertThrows(UserError.class, () -> of(Map.of("hidden", "x"))).getMessage());
    assertEquals("--momentum must be in [0, 1), got 1.0",
        assertThrows(UserError.class, () -> of(Map.of("momentum", "1"))).getMessage());
    assertEquals("--epsilon must be a finite number > 0, got 0.0",
        assertThrows(UserError.class, () -> of(Map.of("epsilon", "0"))).getMessage());
    assertEquals("--init-w: 'NaN' is not a finite number",
        assertThrows(UserError.class, () -> of(Map.of("init-w", "1,NaN"))).getMessage());
    assertEquals("--nesterov: 'yes' is not true or false",
        assertThrows(UserError.class, () -> of(Map.of("nesterov", "yes"))).getMessage());
    assertEquals("--colour: no such setting",
        assertThrows(UserError.class, () -> of(Map.of("colour", "red"))).getMessage());
    assertEquals("--set path is required", assertThrows(UserError.class,
        () -> Settings.of(List.of(PATH), Map.of(), n -> "--set " + n)).getMessage());
  }

  @Test
  void aSettingNameIsLowerCaseWordsWithDashes() {
    assertThrows(IllegalArgumentException.class, () -> Setting.flag("Nesterov", "bad"));
    assertThrows(IllegalArgumentException.class, () -> Setting.flag("two--dashes", "bad"));
    assertThrows(UserError.class,
        () -> Setting.integer("n", 0, Setting.Range.atLeast(1), "default out of range"));
  }
}
