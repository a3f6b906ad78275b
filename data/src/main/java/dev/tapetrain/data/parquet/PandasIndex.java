package dev.tapetrain.data.parquet;

import java.util.ArrayList;
import java.util.List;

/**
 * The index columns pandas names in a Parquet file's {@code pandas} metadata (JSON, written by
 * {@code DataFrame.to_parquet}): {@code pd.read_parquet} gives them back as the index, not as
 * data, so {@code --features '*'} leaves them out. Only names count: a RangeIndex is written as
 * a description ({@code {"kind": "range", …}}), not as a column. Metadata that does not parse
 * names no index (the file is still read; its columns are then all features).
 */
final class PandasIndex {

  private final String s;
  private int i;

  private PandasIndex(String json) {
    this.s = json;
  }

  /** The names in {@code json}'s {@code index_columns} array; empty if there are none. */
  static List<String> columns(String json) {
    if (json == null) {
      return List.of();
    }
    try {
      return new PandasIndex(json).indexColumns();
    } catch (RuntimeException e) {
      return List.of(); // not the JSON pandas writes
    }
  }

  private List<String> indexColumns() {
    List<String> names = new ArrayList<>();
    space();
    expect('{');
    space();
    if (peek() == '}') {
      return names;
    }
    while (true) {
      space();
      String key = string();
      space();
      expect(':');
      space();
      if (key.equals("index_columns") && peek() == '[') {
        i++;
        space();
        while (peek() != ']') {
          if (peek() == '"') {
            names.add(string());
          } else {
            skipValue();
          }
          space();
          if (peek() == ',') {
            i++;
            space();
          }
        }
        return names;
      }
      skipValue();
      space();
      if (peek() != ',') {
        return names;
      }
      i++;
    }
  }

  private void skipValue() {
    char c = peek();
    if (c == '"') {
      string();
      return;
    }
    if (c == '{' || c == '[') {
      int depth = 0;
      do {
        char d = peek();
        if (d == '"') {
          string();
          continue;
        }
        if (d == '{' || d == '[') {
          depth++;
        } else if (d == '}' || d == ']') {
          depth--;
        }
        i++;
      } while (depth > 0);
      return;
    }
    while (i < s.length() && ",}]".indexOf(s.charAt(i)) < 0) {
      i++; // a number, true, false or null
    }
  }

  private String string() {
    expect('"');
    StringBuilder b = new StringBuilder();
    while (true) {
      char c = s.charAt(i++);
      if (c == '"') {
        return b.toString();
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      char e = s.charAt(i++);
      switch (e) {
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> {
          b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
          i += 4;
        }
        default -> b.append(e); // " \ /
      }
    }
  }

  private void space() {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
  }

  private char peek() {
    return s.charAt(i); // past the end: the caller's RuntimeException, "does not parse"
  }

  private void expect(char c) {
    if (peek() != c) {
      throw new IllegalArgumentException("expected " + c + " at " + i);
    }
    i++;
  }
}
