package dev.tapetrain.data.parquet;

import dev.tapetrain.data.DataException;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.DecimalLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.IntLogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * A top-level Parquet column read as float64: its name, its descriptor, how its physical values
 * become doubles ({@link Kind}) and, for a decimal, its scale.
 *
 * @param name       the column's name
 * @param descriptor parquet's description of its values
 * @param kind       how its values become doubles
 * @param scale      a decimal's scale (digits after the point), else 0
 */
record NumericColumn(String name, ColumnDescriptor descriptor, Kind kind, int scale) {

  /** How a column's physical values become doubles. */
  enum Kind {
    DOUBLE, FLOAT, FLOAT16, INT32, UINT32, INT64, UINT64, DEC32, DEC64, DECBIN,
    /** BOOLEAN: false and true are exactly 0.0 and 1.0 (a logistic target as pandas writes it). */
    BOOLEAN
  }

  /**
   * The named columns of {@code schema}; one message for every one that cannot be read.
   *
   * @throws DataException naming the file and each missing, nested or non-numeric column
   */
  static NumericColumn[] resolve(String file, MessageType schema, List<String> names) {
    NumericColumn[] cols = new NumericColumn[names.size()];
    List<String> problems = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    // Counted once: a count a name made every read of a wide file's columns cost columns².
    java.util.Map<String, Integer> named = new java.util.HashMap<>();
    for (Type f : schema.getFields()) {
      named.merge(f.getName(), 1, Integer::sum);
    }
    for (int i = 0; i < cols.length; i++) {
      String n = names.get(i);
      if (!schema.containsField(n)) {
        missing.add("'" + n + "'");
        continue;
      }
      if (named.get(n) > 1) {
        // parquet-java would pick the first; pyarrow and pandas refuse the name as ambiguous.
        problems.add("'" + n + "' is the name of more than one column");
        continue;
      }
      Type t = schema.getType(n);
      String why = null;
      if (!t.isPrimitive()) {
        LogicalTypeAnnotation a = t.getLogicalTypeAnnotation();
        why = "is nested (" + (a == null ? "a group" : "a " + a.toString().toLowerCase(
            java.util.Locale.ROOT)) + ")";
      } else if (t.isRepetition(Type.Repetition.REPEATED)) {
        why = "is nested (a repeated field)";
      } else {
        PrimitiveType p = t.asPrimitiveType();
        Kind k = kind(p);
        if (k == null) {
          why = "is not a number (" + describe(p) + ")";
        } else {
          int scale = p.getLogicalTypeAnnotation() instanceof DecimalLogicalTypeAnnotation d
              ? d.getScale() : 0;
          cols[i] = new NumericColumn(n, schema.getColumnDescription(new String[] {n}), k, scale);
        }
      }
      if (why != null) {
        problems.add("'" + n + "' " + why);
      }
    }
    if (!missing.isEmpty()) {
      List<String> have = new ArrayList<>();
      for (Type t : schema.getFields()) {
        have.add(t.getName());
      }
      problems.add(String.join(", ", missing) + (missing.size() == 1 ? " is" : " are")
          + " not in the file (it has: " + String.join(", ", have) + ")");
    }
    if (!problems.isEmpty()) {
      throw new DataException(file + ": cannot read " + (problems.size() == 1
          ? "column " : "columns ") + "as numbers: " + String.join("; ", problems));
    }
    return cols;
  }

  private static Kind kind(PrimitiveType p) {
    LogicalTypeAnnotation a = p.getLogicalTypeAnnotation();
    if (a instanceof DecimalLogicalTypeAnnotation) {
      return switch (p.getPrimitiveTypeName()) {
        case INT32 -> Kind.DEC32;
        case INT64 -> Kind.DEC64;
        case BINARY, FIXED_LEN_BYTE_ARRAY -> Kind.DECBIN;
        default -> null;
      };
    }
    if (a instanceof LogicalTypeAnnotation.Float16LogicalTypeAnnotation) {
      // IEEE half precision in two little-endian bytes: every value has an exact double.
      return p.getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY
          && p.getTypeLength() == 2 ? Kind.FLOAT16 : null;
    }
    if (a != null && !(a instanceof IntLogicalTypeAnnotation)) {
      return null; // DATE, TIME, TIMESTAMP, STRING, ...: not plain numbers
    }
    boolean unsigned = a instanceof IntLogicalTypeAnnotation i && !i.isSigned();
    return switch (p.getPrimitiveTypeName()) {
      case DOUBLE -> Kind.DOUBLE;
      case FLOAT -> Kind.FLOAT;
      case INT32 -> unsigned ? Kind.UINT32 : Kind.INT32;
      case INT64 -> unsigned ? Kind.UINT64 : Kind.INT64;
      case BOOLEAN -> Kind.BOOLEAN;
      default -> null; // INT96, BINARY, FIXED_LEN_BYTE_ARRAY
    };
  }

  private static String describe(PrimitiveType p) {
    LogicalTypeAnnotation a = p.getLogicalTypeAnnotation();
    if (a instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation) {
      return "a string";
    }
    String s = p.getPrimitiveTypeName().toString();
    return a == null ? s : s + " " + a;
  }
}
