package dev.tapetrain.localrunner.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A kept CSV column's name is the one pandas' {@code read_csv} gives it. The expected names are
 * pandas 3.0.6's (printed by {@code list(pd.read_csv(io.StringIO(header + "\n1,...")).columns)}
 * in the local wheels, 2026-12-08), the cases those of pandas' own tests of its header
 * mangling (test_thorough_mangle_columns, the unnamed column that already exists).
 */
class KeptColumnsTest {

  private static List<String> names(String header) {
    return KeptColumns.pandasNames(Arrays.asList(header.split(",", -1)));
  }

  @Test
  void namesAreThoseOfPandasReadCsv() {
    assertEquals(List.of("x", "k", "y", "Unnamed: 3", "Unnamed: 4.1", "n", "n.1", "Unnamed: 4"),
        names("x,k,y,,,n,n,Unnamed: 4"));
    assertEquals(List.of("a", "a.2", "a.1"), names("a,a,a.1"));
    assertEquals(List.of("Unnamed: 0.1", "Unnamed: 0", "Unnamed: 2.1", "Unnamed: 2"),
        names(",Unnamed: 0,,Unnamed: 2"));
    assertEquals(List.of("a", "a.3", "a.1", "a.2", "a.4"), names("a,a,a.1,a.2,a"));
    assertEquals(List.of("a", "b", "a.2", "b.1", "a.1"), names("a,b,a,b,a.1"));
    assertEquals(List.of("Unnamed: 0", "a", "Unnamed: 2", "a.1", "Unnamed: 0.1"),
        names(",a,,a,Unnamed: 0.1"));
    assertEquals(List.of("x", "y"), names("x,y"));
  }
}
