package dev.tapetrain.localrunner.predict;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * The input columns {@code --keep-columns} copies into the output, with the type each has in a
 * Parquet output: from CSV input the columns predict reads as numbers (features, target) are
 * DOUBLE holding the value read, every other column a STRING holding the cell's text; from
 * Parquet input every column keeps its own type (physical type, annotation, required or
 * optional). A CSV header's empty and repeated names are pandas' ({@link #pandasNames}). In a
 * CSV output a value is the cell's text (CSV input) or the text parquet-java's
 * stringifier gives for its type (Parquet input), a null an empty cell.
 *
 * @param types the columns, in input order, each as a Parquet field
 */
record KeptColumns(List<Type> types) {

  /** No column kept. */
  static final KeptColumns NONE = new KeptColumns(List.of());

  /** One input row's kept values. */
  interface Row {
    /** Column {@code i}'s value as CSV text (unquoted); a null is empty. */
    String text(int i);

    /** Adds column {@code i}'s value to field {@code i} of {@code out}; a null adds nothing. */
    void addTo(Group out, int i);
  }

  KeptColumns {
    types = List.copyOf(types);
  }

  /**
   * A CSV header's columns, the {@code numeric} ones as DOUBLE, the others as STRING, named as
   * pandas' {@code read_csv} names them ({@link #pandasNames}).
   */
  static KeptColumns ofCsv(List<String> header, Set<String> numeric) {
    List<Type> types = new ArrayList<>();
    List<String> names = pandasNames(header);
    for (int i = 0; i < header.size(); i++) {
      String c = header.get(i);
      types.add(numeric.contains(c)
          ? Types.required(PrimitiveTypeName.DOUBLE).named(names.get(i))
          : Types.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType())
              .named(names.get(i)));
    }
    return new KeptColumns(types);
  }

  /**
   * A CSV header's names as pandas' {@code read_csv} gives them (its header parsing since 1.3):
   * an empty one (a spreadsheet's empty header cell, {@code x,y,,}) is {@code Unnamed: I}, I its
   * position from 0; named columns are named first, then the unnamed ones, and a name seen
   * before gets the first {@code .1}, {@code .2} … that is neither given nor in the header
   * ({@code a,a,a.1} reads {@code a,a.2,a.1}). A Parquet output holds a name once (other readers
   * refuse two fields named ""), and a pandas user finds the values under the names read_csv
   * gives them.
   */
  static List<String> pandasNames(List<String> header) {
    List<String> names = new ArrayList<>(header.size());
    List<Integer> order = new ArrayList<>(header.size());
    List<Integer> unnamed = new ArrayList<>();
    for (int i = 0; i < header.size(); i++) {
      boolean empty = header.get(i).isEmpty();
      names.add(empty ? "Unnamed: " + i : header.get(i));
      (empty ? unnamed : order).add(i);
    }
    order.addAll(unnamed);
    java.util.Map<String, Integer> counts = new java.util.HashMap<>();
    for (int i : order) {
      String given = names.get(i);
      String name = given;
      int seen = counts.getOrDefault(name, 0);
      while (seen > 0) {
        counts.put(given, seen + 1);
        name = given + "." + seen;
        seen = names.contains(name) ? seen + 1 : counts.getOrDefault(name, 0);
      }
      names.set(i, name);
      counts.put(name, seen + 1);
    }
    return names;
  }

  /** The column names, in order. */
  List<String> names() {
    return types.stream().map(Type::getName).toList();
  }

  /** A CSV row's kept values: its cells (trimmed, unquoted). */
  Row csvRow(List<String> cells) {
    return new Row() {
      @Override
      public String text(int i) {
        return cells.get(i);
      }

      @Override
      public void addTo(Group out, int i) {
        String cell = cells.get(i);
        if (types.get(i).asPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.DOUBLE) {
          // The CSV reader's numbers are Double.parseDouble's, bit for bit.
          out.add(i, Double.parseDouble(cell));
        } else {
          out.add(i, cell);
        }
      }
    };
  }

  /** A Parquet row's kept values: its record (every column flat). */
  static Row parquetRow(Group record) {
    return new Row() {
      @Override
      public String text(int i) {
        if (record.getFieldRepetitionCount(i) == 0) {
          return "";
        }
        PrimitiveType t = record.getType().getType(i).asPrimitiveType();
        return switch (t.getPrimitiveTypeName()) {
          case INT32 -> t.stringifier().stringify(record.getInteger(i, 0));
          case INT64 -> t.stringifier().stringify(record.getLong(i, 0));
          case FLOAT -> t.stringifier().stringify(record.getFloat(i, 0));
          case DOUBLE -> t.stringifier().stringify(record.getDouble(i, 0));
          case BOOLEAN -> t.stringifier().stringify(record.getBoolean(i, 0));
          case INT96 -> t.stringifier().stringify(record.getInt96(i, 0));
          case BINARY, FIXED_LEN_BYTE_ARRAY -> t.stringifier().stringify(record.getBinary(i, 0));
        };
      }

      @Override
      public void addTo(Group out, int i) {
        if (record.getFieldRepetitionCount(i) == 0) {
          return;
        }
        PrimitiveType t = record.getType().getType(i).asPrimitiveType();
        switch (t.getPrimitiveTypeName()) {
          case INT32 -> out.add(i, record.getInteger(i, 0));
          case INT64 -> out.add(i, record.getLong(i, 0));
          case FLOAT -> out.add(i, record.getFloat(i, 0));
          case DOUBLE -> out.add(i, record.getDouble(i, 0));
          case BOOLEAN -> out.add(i, record.getBoolean(i, 0));
          case INT96 -> out.add(i, record.getInt96(i, 0));
          case BINARY, FIXED_LEN_BYTE_ARRAY -> out.add(i, record.getBinary(i, 0));
        }
      }
    };
  }
}
