package dev.tapetrain.data.parquet;

import dev.tapetrain.data.DataException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import org.apache.parquet.bytes.ByteBufferInputStream;
import org.apache.parquet.bytes.BytesUtils;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ValuesType;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.values.ValuesReader;
import org.apache.parquet.io.api.Binary;

/**
 * Decodes one column chunk's pages for a range of rows of its row group into a {@code double[]}.
 * PLAIN fixed-width pages are copied straight from the page buffer; definition levels and the
 * indices of dictionary pages of numbers are decoded a run at a time ({@link HybridRle});
 * decimal dictionaries, BYTE_STREAM_SPLIT and DELTA pages go value by value through parquet's
 * {@code ValuesReader}. Pages wholly before
 * the range are skipped undecoded. Every null, NaN, infinity or value without an exact double is
 * refused, naming file, row, row group and column.
 */
final class PageDecoder {

  private final String file;
  private final PageReader pages;
  private final NumericColumn c;
  private final ColumnDescriptor d;
  private final int maxDef;
  private final int group;
  private final long groupFirstRow;
  private final long lo; // first wanted row, relative to the row group
  private final long hi; // one past the last
  private Dictionary dictionary;
  private int[] levels = new int[0];
  private int[] ids = new int[0];

  /**
   * @param from first wanted row of the file (0-based)
   * @param to   one past the last
   */
  PageDecoder(String file, PageReader pages, NumericColumn c, int group, long groupFirstRow,
      long from, long to) {
    this.file = file;
    this.pages = pages;
    this.c = c;
    this.d = c.descriptor();
    this.maxDef = d.getMaxDefinitionLevel();
    this.group = group;
    this.groupFirstRow = groupFirstRow;
    this.lo = from - groupFirstRow;
    this.hi = to - groupFirstRow;
  }

  /** Decodes the rows into {@code out[at …]}. */
  void read(double[] out, int at) throws IOException {
    DictionaryPage dp = pages.readDictionaryPage();
    if (dp != null) {
      // The page's bytes are the codec's reused array (PureJavaCodecs.reusingPages): numbers
      // are copied out of it into the dictionary, but a binary dictionary (DECIMAL on bytes)
      // keeps views of the page, so it gets a copy of its own.
      dictionary = dp.getEncoding().initDictionary(d,
          c.kind() == NumericColumn.Kind.DECBIN || c.kind() == NumericColumn.Kind.FLOAT16
              ? dp.copy() : dp);
    }
    long next = 0; // first row of the next page, when the page does not say
    long done = lo;
    DataPage page;
    boolean seen = false;
    while (done < hi && (page = pages.readPage()) != null) {
      long first = page.getFirstRowIndex().orElse(next);
      if (seen && first != next) {
        // The page index (read for part of a group) must agree with the pages' own counts,
        // or rows would shift silently: the scan read whole groups and never saw the index.
        throw new IOException("the page index puts a page at row " + (groupFirstRow + first)
            + ", but the pages before it end at row " + (groupFirstRow + next));
      }
      seen = true;
      int n = page.getValueCount(); // flat column: one value (or null) per row
      next = first + n;
      long a = Math.max(lo, first);
      long b = Math.min(hi, first + n);
      if (a >= b) {
        continue;
      }
      decode(page, (int) (a - first), (int) (b - first), first, out, at + (int) (a - lo));
      done = b;
    }
    if (done < hi) {
      throw new IOException("pages end at row " + (groupFirstRow + done) + ", before row "
          + (groupFirstRow + hi));
    }
  }

  /** Rows [from, to) of the page (page-relative) into out[at...]. */
  private void decode(DataPage page, int from, int to, long first, double[] out, int at)
      throws IOException {
    int n = page.getValueCount();
    ByteBufferInputStream in;
    Encoding enc;
    if (page instanceof DataPageV1 v1) {
      in = v1.getBytes().toInputStream();
      v1.getRlEncoding().getValuesReader(d, ValuesType.REPETITION_LEVEL).initFromPage(n, in);
      if (maxDef > 0 && v1.getDlEncoding() == Encoding.RLE) {
        // The levels' length (4 bytes, little-endian), then the levels: read a run at a time.
        int length = BytesUtils.readIntLittleEndian(in);
        readLevels(new HybridRle(in.slice(length), BytesUtils.getWidthFromMaxInt(maxDef)), to);
      } else if (maxDef > 0) {
        ValuesReader dl = v1.getDlEncoding().getValuesReader(d, ValuesType.DEFINITION_LEVEL);
        dl.initFromPage(n, in);
        readLevels(dl, to);
      }
      enc = v1.getValueEncoding();
    } else {
      DataPageV2 v2 = (DataPageV2) page;
      if (maxDef > 0) {
        readLevels(new HybridRle(v2.getDefinitionLevels().toByteBuffer(),
            BytesUtils.getWidthFromMaxInt(maxDef)), to);
      }
      in = v2.getData().toInputStream();
      enc = v2.getDataEncoding();
    }
    int skipValues = from; // values (non-null) before row 'from' of the page
    if (maxDef > 0) {
      skipValues = 0;
      for (int k = 0; k < from; k++) {
        skipValues += levels[k] == maxDef ? 1 : 0;
      }
      for (int k = from; k < to; k++) {
        if (levels[k] != maxDef) {
          throw bad(groupFirstRow + first + k, "is null");
        }
      }
    }
    int count = to - from;
    if (enc == Encoding.PLAIN && bulk(in, skipValues, count, first + from, out, at)) {
      return;
    }
    long row = groupFirstRow + first + from;
    if (enc.usesDictionary() && dictionary != null
        && fromDictionary(in, skipValues, count, row, out, at)) {
      return;
    }
    ValuesReader values;
    if (enc.usesDictionary()) {
      if (dictionary == null) {
        throw new IOException("dictionary-encoded page but no dictionary page");
      }
      values = enc.getDictionaryBasedValuesReader(d, ValuesType.VALUES, dictionary);
    } else {
      values = enc.getValuesReader(d, ValuesType.VALUES);
    }
    values.initFromPage(n, in);
    if (skipValues > 0) {
      values.skip(skipValues);
    }
    for (int k = 0; k < count; k++) {
      out[at + k] = value(values, row + k);
    }
  }

  /** The first {@code upTo} definition levels of the page, a run at a time. */
  private void readLevels(HybridRle rle, int upTo) throws IOException {
    if (levels.length < upTo) {
      levels = new int[Math.max(upTo, levels.length * 2)];
    }
    rle.read(levels, upTo);
  }

  /** The first {@code upTo} definition levels, one call each (the deprecated BIT_PACKED). */
  private void readLevels(ValuesReader dl, int upTo) {
    if (levels.length < upTo) {
      levels = new int[Math.max(upTo, levels.length * 2)];
    }
    for (int k = 0; k < upTo; k++) {
      levels[k] = dl.readInteger();
    }
  }

  /**
   * A dictionary-encoded page of numbers (the bit width in one byte, then the indices as
   * {@link HybridRle}): all its indices at once, then each value looked up and checked as
   * {@link #value} checks it; false, reading nothing, for a decimal column.
   */
  private boolean fromDictionary(ByteBufferInputStream in, int skipValues, int count, long row,
      double[] out, int at) throws IOException {
    switch (c.kind()) {
      case DOUBLE, FLOAT, INT32, UINT32, INT64, UINT64 -> { }
      default -> {
        return false;
      }
    }
    int width = in.read();
    if (width < 0) {
      throw new IOException("dictionary-encoded page without its bit width");
    }
    int need = skipValues + count;
    if (ids.length < need) {
      ids = new int[Math.max(need, ids.length * 2)];
    }
    new HybridRle(in.slice(in.available()), width).read(ids, need);
    int last = dictionary.getMaxId();
    for (int k = 0; k < count; k++) {
      int id = ids[skipValues + k];
      if (id < 0 || id > last) {
        throw new IOException("dictionary index " + id + " at row " + (row + k) + ", past the "
            + "dictionary's " + (last + 1) + " values");
      }
      out[at + k] = fromDictionary(id, row + k);
    }
    return true;
  }

  private double fromDictionary(int id, long row) {
    switch (c.kind()) {
      case DOUBLE: {
        double v = dictionary.decodeToDouble(id);
        if (!Double.isFinite(v)) {
          throw bad(row, "is " + v);
        }
        return v;
      }
      case FLOAT: {
        float v = dictionary.decodeToFloat(id);
        if (!Float.isFinite(v)) {
          throw bad(row, "is " + v);
        }
        return v;
      }
      case INT32:
        return dictionary.decodeToInt(id);
      case UINT32:
        return Integer.toUnsignedLong(dictionary.decodeToInt(id));
      default:
        return integer(dictionary.decodeToLong(id), row);
    }
  }

  /** PLAIN fixed-width values straight from the page buffer; false if not such a column. */
  private boolean bulk(ByteBufferInputStream in, int skipValues, int count, long pageRow,
      double[] out, int at) throws IOException {
    int width = switch (c.kind()) {
      case DOUBLE, INT64, UINT64 -> 8;
      case FLOAT, INT32, UINT32 -> 4;
      default -> 0;
    };
    if (width == 0) {
      return false;
    }
    in.skipFully((long) skipValues * width);
    ByteBuffer buf = in.slice(count * width).order(ByteOrder.LITTLE_ENDIAN);
    long row0 = groupFirstRow + pageRow;
    switch (c.kind()) {
      case DOUBLE -> {
        buf.asDoubleBuffer().get(out, at, count);
        for (int k = 0; k < count; k++) {
          if (!Double.isFinite(out[at + k])) {
            throw bad(row0 + k, "is " + out[at + k]);
          }
        }
      }
      case FLOAT -> {
        FloatBuffer f = buf.asFloatBuffer();
        for (int k = 0; k < count; k++) {
          float v = f.get(k);
          if (!Float.isFinite(v)) {
            throw bad(row0 + k, "is " + v);
          }
          out[at + k] = v;
        }
      }
      case INT32 -> {
        IntBuffer ib = buf.asIntBuffer();
        for (int k = 0; k < count; k++) {
          out[at + k] = ib.get(k);
        }
      }
      case UINT32 -> {
        IntBuffer ib = buf.asIntBuffer();
        for (int k = 0; k < count; k++) {
          out[at + k] = Integer.toUnsignedLong(ib.get(k));
        }
      }
      default -> {
        LongBuffer lb = buf.asLongBuffer();
        for (int k = 0; k < count; k++) {
          out[at + k] = integer(lb.get(k), row0 + k);
        }
      }
    }
    return true;
  }

  private double value(ValuesReader r, long row) {
    switch (c.kind()) {
      case DOUBLE: {
        double v = r.readDouble();
        if (!Double.isFinite(v)) {
          throw bad(row, "is " + v);
        }
        return v;
      }
      case FLOAT: {
        float v = r.readFloat();
        if (!Float.isFinite(v)) {
          throw bad(row, "is " + v);
        }
        return v;
      }
      case INT32:
        return r.readInteger();
      case UINT32:
        return Integer.toUnsignedLong(r.readInteger());
      case INT64:
      case UINT64:
        return integer(r.readLong(), row);
      case BOOLEAN:
        return r.readBoolean() ? 1.0 : 0.0;
      case FLOAT16: {
        byte[] h = r.readBytes().getBytes();
        double v = ExactDoubles.half((h[0] & 0xff) | (h[1] & 0xff) << 8);
        if (!Double.isFinite(v)) {
          throw bad(row, "is " + v);
        }
        return v;
      }
      case DEC32: {
        long u = r.readInteger();
        return decimal(ExactDoubles.decimal(u, c.scale()), row,
            () -> java.math.BigDecimal.valueOf(u, c.scale()));
      }
      case DEC64: {
        long u = r.readLong();
        return decimal(ExactDoubles.decimal(u, c.scale()), row,
            () -> java.math.BigDecimal.valueOf(u, c.scale()));
      }
      default: {
        Binary b = r.readBytes();
        byte[] bytes = b.getBytes();
        BigInteger u = bytes.length == 0 ? BigInteger.ZERO : new BigInteger(bytes);
        Double v = bytes.length <= 8
            ? ExactDoubles.decimal(ExactDoubles.longFromBigEndian(bytes), c.scale())
            : ExactDoubles.decimal(u, c.scale());
        return decimal(v, row, () -> new java.math.BigDecimal(u, c.scale()));
      }
    }
  }

  private double integer(long v, long row) {
    boolean u64 = c.kind() == NumericColumn.Kind.UINT64;
    if (!ExactDoubles.exactInteger(v, u64)) {
      throw bad(row, "is " + (u64 ? Long.toUnsignedString(v) : v)
          + ", which has no exact double (more than 53 significant bits)");
    }
    return u64 ? ExactDoubles.unsignedToDouble(v) : v;
  }

  private double decimal(Double v, long row,
      java.util.function.Supplier<java.math.BigDecimal> exact) {
    if (v == null) {
      throw bad(row, "is " + exact.get().toPlainString() + ", which has no exact double (a "
          + "decimal column; to train on its nearest doubles, write it as float64)");
    }
    return v;
  }

  private DataException bad(long row, String what) {
    return refusal(file, group, groupFirstRow, row, c.name(), what);
  }

  /** The one line that refuses a value: file, row, row group and the row in it, column. */
  static DataException refusal(String file, int group, long groupFirstRow, long row,
      String column, String what) {
    return new DataException(file + ": row " + row + " (row group " + group + ", row "
        + (row - groupFirstRow) + " in it): column '" + column + "' " + what);
  }
}
