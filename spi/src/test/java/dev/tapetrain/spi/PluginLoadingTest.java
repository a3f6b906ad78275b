package dev.tapetrain.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plug-in jar whose provider cannot be loaded ends the command with one line naming the
 * provider, its jar and why (a {@link UserError}, exit 2), not ServiceLoader's error and its
 * stack trace; an unknown name says how a plug-in of one's own is added.
 */
class PluginLoadingTest {

  /** The extension point of these tests. */
  public interface Thing extends Plugin {}

  /** A provider ServiceLoader cannot make: its only constructor takes an argument. */
  public static final class NoCtor implements Thing {
    public NoCtor(int unused) {}

    @Override
    public String name() {
      return "no-ctor";
    }
  }

  /** A provider built against a class this JVM lacks. */
  public static final class Missing implements Thing {
    public Missing() {
      throw new NoClassDefFoundError("org/example/Gone");
    }

    @Override
    public String name() {
      return "missing";
    }
  }

  /** A provider whose name() fails. */
  public static final class BadName implements Thing {
    @Override
    public String name() {
      throw new IllegalStateException("no name today");
    }
  }

  /** A good provider. */
  public static final class Good implements Thing {
    @Override
    public String name() {
      return "good";
    }
  }

  @TempDir
  Path dir;

  @Test
  void aProviderWithoutANoArgConstructorIsOneLineNamingItsClassAndJar() throws Exception {
    Path jar = servicesJar("noctor.jar", NoCtor.class);
    UserError e = assertThrows(UserError.class, () -> load(jar));
    assertEquals("thing plug-in " + NoCtor.class.getName() + " (" + jar + ") cannot be loaded: "
        + "it has no public no-arg constructor (a service provider needs one); fix or remove its "
        + "jar from the class path", e.getMessage());
  }

  @Test
  void aMissingClassItNeedsIsNamed() throws Exception {
    Path jar = servicesJar("old.jar", Good.class, Missing.class);
    UserError e = assertThrows(UserError.class, () -> load(jar));
    assertTrue(e.getMessage().startsWith("thing plug-in " + Missing.class.getName() + " ("
        + jar + ") cannot be loaded: a class it needs is missing: org/example/Gone"),
        e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }

  @Test
  void aClassNotInItsJarAndANameThatThrowsAreNamed() throws Exception {
    Path jar = dir.resolve("typo.jar");
    writeJar(jar, "com.example.Typo\n");
    UserError e = assertThrows(UserError.class, () -> load(jar));
    assertTrue(e.getMessage().startsWith("thing plug-in com.example.Typo (" + jar
        + ") cannot be loaded: its class is not in the jar"), e.getMessage());

    Path bad = servicesJar("bad.jar", BadName.class);
    UserError named = assertThrows(UserError.class, () -> load(bad));
    assertTrue(named.getMessage().startsWith("thing plug-in " + BadName.class.getName() + " ("),
        named.getMessage());
    assertTrue(named.getMessage().endsWith("cannot be loaded: its constructor threw "
        + "java.lang.IllegalStateException: no name today"), named.getMessage());
  }

  @Test
  void aGoodProviderLoadsAndAnUnknownNameSaysHowToAddOne() throws Exception {
    Plugins<Thing> things = load(servicesJar("good.jar", Good.class));
    assertEquals(Set.of("good"), things.available().keySet());
    UserError e = assertThrows(UserError.class, () -> things.get("huber", "--thing"));
    assertEquals("--thing: unknown thing 'huber' (available: good); one of your own: put its "
        + "jar on the class path (TAPETRAIN_CLASSPATH=its.jar for bin/tapetrain, else java -cp)",
        e.getMessage());
  }

  /** The plug-ins of {@link Thing} with {@code jar} on the (context) class path. */
  private static Plugins<Thing> load(Path jar) throws IOException {
    Thread t = Thread.currentThread();
    ClassLoader before = t.getContextClassLoader();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
        PluginLoadingTest.class.getClassLoader())) {
      t.setContextClassLoader(loader);
      return new Plugins<>("thing", Thing.class, List.of(), Set.of());
    } finally {
      t.setContextClassLoader(before);
    }
  }

  private Path servicesJar(String name, Class<?>... providers) throws IOException {
    StringBuilder lines = new StringBuilder("# providers\n");
    for (Class<?> c : providers) {
      lines.append(c.getName()).append('\n');
    }
    Path jar = dir.resolve(name);
    writeJar(jar, lines.toString());
    return jar;
  }

  private static void writeJar(Path jar, String services) throws IOException {
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream j = new JarOutputStream(out)) {
      j.putNextEntry(new JarEntry("META-INF/services/" + Thing.class.getName()));
      j.write(services.getBytes(StandardCharsets.UTF_8));
      j.closeEntry();
    }
  }
}
