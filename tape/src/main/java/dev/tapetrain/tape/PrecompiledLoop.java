package dev.tapetrain.tape;

/**
 * A loop the tape compiler would generate, compiled ahead of time with the program that uses it:
 * {@link CompiledFunction#compile} looks a generated source up by its SHA-256 among these before
 * it asks Janino to compile it, so a hit runs from the first call without a compiler (≈ 0.35 s
 * for the first Janino compilation in a JVM).
 *
 * <p>Registration: a public class with a public no-argument constructor, named in
 * {@code META-INF/services/dev.tapetrain.tape.PrecompiledLoop} ({@link java.util.ServiceLoader}),
 * whose {@link #run} is a copy of the generated source's and whose {@link #sourceSha256()} is
 * that source's {@link CompiledFunction#sourceSha256()}. A copy that no longer matches the
 * generator is simply never found (the source is compiled at run time instead); before any loop
 * is used, {@code compile} checks it against the eager tape on an example, bit for bit.
 */
public interface PrecompiledLoop extends CompiledFunction.Kernel {

  /** The SHA-256 (lower-case hex) of the generated source this class is a copy of. */
  String sourceSha256();
}
