package dev.tapetrain.tape;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.codehaus.commons.compiler.CompileException;
import org.codehaus.janino.SimpleCompiler;

/**
 * Compiles generated loops with Janino and keeps their class files in the installed
 * {@link LoopStore}, so a later JVM that generates the same source defines the classes from
 * those bytes instead of compiling (Janino's first compilation in a JVM takes ≈ 0.35 s).
 *
 * <p>Key: the SHA-256 of {@link #FORMAT_VERSION}, the Janino release and the source, so a
 * changed generator, Janino or format never meets bytes made by another. Value: the class files
 * Janino wrote for the source ({@link #encode}). Anything that does not decode, define or
 * instantiate as a {@link CompiledFunction.Kernel} is rejected (a miss); the caller then still
 * checks a loaded loop against the eager tape, bit for bit, like every other loop.
 */
final class LoopCache {

  /** The version of what is stored; a change of it (or of the encoding) changes every key. */
  static final int FORMAT_VERSION = 1;

  private static final int MAGIC = 0x544c4f50; // "TLOP"
  private static final int MAX_CLASSES = 1024;

  /** The Janino release the loops are compiled with (from the build), part of the key. */
  static final String JANINO_VERSION = janinoVersion();

  private static volatile LoopStore store;
  private static final AtomicLong COMPILATIONS = new AtomicLong();

  private LoopCache() {}

  static void use(LoopStore s) {
    store = s;
  }

  /** The key of {@code source}'s loop in the store. */
  static String key(String source) {
    return PrecompiledLoops.sha256("tapetrain compiled loop, format " + FORMAT_VERSION
        + ", janino " + JANINO_VERSION + "\n" + source);
  }

  /** The loop of {@code source} defined from the store's bytes, or null (no store, or a miss). */
  static CompiledFunction.Kernel find(String source) {
    LoopStore s = store;
    if (s == null) {
      return null;
    }
    String key = key(source);
    byte[] bytes = s.load(key);
    if (bytes == null) {
      return null;
    }
    try {
      return instantiate(new BytesLoader(decode(bytes)));
    } catch (IOException | RuntimeException | LinkageError | ReflectiveOperationException e) {
      s.rejected(key, "not a loop: " + e);
      return null;
    }
  }

  /** Says that the loop the store gave for {@code source} failed its check, and why. */
  static void rejected(String source, String why) {
    LoopStore s = store;
    if (s != null) {
      s.rejected(key(source), why);
    }
  }

  /** Compiles {@code source} with Janino; keeps its class files in the store, if there is one. */
  static CompiledFunction.Kernel compile(String source) {
    COMPILATIONS.incrementAndGet();
    SimpleCompiler compiler = new SimpleCompiler();
    compiler.setParentClassLoader(CompiledFunction.class.getClassLoader());
    CompiledFunction.Kernel kernel;
    try {
      compiler.cook(source);
      kernel = instantiate(compiler.getClassLoader());
    } catch (CompileException | ReflectiveOperationException e) {
      throw new IllegalStateException("generated code did not compile: " + e.getMessage()
          + "\n" + source, e);
    }
    LoopStore s = store;
    if (s != null) {
      s.store(key(source), encode(compiler.getBytecodes()));
    }
    return kernel;
  }

  /** Janino compilations in this JVM: for tests that a loop came from the store. */
  static long compilations() {
    return COMPILATIONS.get();
  }

  private static CompiledFunction.Kernel instantiate(ClassLoader loader)
      throws ReflectiveOperationException {
    return (CompiledFunction.Kernel) loader.loadClass(LoopGenerator.CLASS_NAME)
        .getDeclaredConstructor().newInstance();
  }

  /** Class files by binary name as bytes: magic, format, count, then (name, length, bytes)s. */
  static byte[] encode(Map<String, byte[]> classes) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeInt(MAGIC);
      out.writeInt(FORMAT_VERSION);
      out.writeInt(classes.size());
      for (Map.Entry<String, byte[]> c : new java.util.TreeMap<>(classes).entrySet()) {
        out.writeUTF(c.getKey());
        out.writeInt(c.getValue().length);
        out.write(c.getValue());
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("a byte array cannot fail", e);
    }
  }

  /** The inverse of {@link #encode}; anything else (short, long, another format) throws. */
  static Map<String, byte[]> decode(byte[] bytes) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
    if (in.readInt() != MAGIC || in.readInt() != FORMAT_VERSION) {
      throw new IOException("another format");
    }
    int count = in.readInt();
    if (count < 1 || count > MAX_CLASSES) {
      throw new IOException(count + " classes");
    }
    Map<String, byte[]> classes = new HashMap<>();
    for (int c = 0; c < count; c++) {
      String name = in.readUTF();
      int length = in.readInt();
      if (length < 0 || length > in.available()) {
        throw new IOException("class " + name + " of " + length + " bytes, "
            + in.available() + " left");
      }
      classes.put(name, in.readNBytes(length));
    }
    if (in.available() != 0) {
      throw new IOException(in.available() + " bytes after the last class");
    }
    return classes;
  }

  /** Defines the stored classes, the tape's classes visible to them (as Janino's loader does). */
  private static final class BytesLoader extends ClassLoader {
    private final Map<String, byte[]> classes;

    BytesLoader(Map<String, byte[]> classes) {
      super(CompiledFunction.class.getClassLoader());
      this.classes = classes;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      byte[] b = classes.get(name);
      if (b == null) {
        throw new ClassNotFoundException(name);
      }
      return defineClass(name, b, 0, b.length);
    }
  }

  private static String janinoVersion() {
    Properties p = new Properties();
    try (InputStream in = LoopCache.class.getResourceAsStream("janino.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // Then "unknown": still a key of its own, never one of a known release.
    }
    String v = p.getProperty("version", "unknown");
    return v.startsWith("${") ? "unknown" : v;
  }
}
