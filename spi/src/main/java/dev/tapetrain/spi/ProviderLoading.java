package dev.tapetrain.spi;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.InvocationTargetException;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Loads the providers of an extension point from the class path and turns a provider that cannot
 * be loaded (no public no-arg constructor, a class it needs missing, a constructor that throws,
 * a jar built for a later Java) into a {@link UserError} that names its class, its jar and the
 * reason: {@link ServiceLoader} throws an {@link Error} with a stack trace that every command
 * would otherwise print, even one that never uses the plug-in.
 */
final class ProviderLoading {

  private ProviderLoading() {}

  /**
   * Every provider of {@code type} on the class path, in the loader's order.
   *
   * @param kind what they are, for the message ({@code model})
   * @throws UserError naming the first provider that cannot be loaded
   */
  static <T> List<T> load(String kind, Class<T> type) {
    List<T> out = new ArrayList<>();
    Iterator<T> it = ServiceLoader.load(type).iterator();
    while (true) {
      try {
        if (!it.hasNext()) {
          return out;
        }
        out.add(it.next());
      } catch (ServiceConfigurationError | LinkageError e) {
        throw failure(kind, type, e);
      }
    }
  }

  /**
   * The one-line error for {@code provider}, already loaded, whose own code failed while we
   * asked it its name or settings.
   */
  static UserError failure(String kind, Object provider, Throwable e) {
    Class<?> c = provider.getClass();
    return new UserError(kind + " plug-in " + c.getName() + jarOf(c) + " cannot be loaded: "
        + reason(e), e);
  }

  private static UserError failure(String kind, Class<?> type, Throwable e) {
    String text = String.valueOf(e.getMessage());
    // ServiceLoader's message is "TYPE: PROVIDER reason"; the services files say which
    // provider names exist and in which jar, so the longest one the message holds is it.
    String provider = null;
    String jar = "";
    for (String[] entry : entries(type)) {
      if (text.contains(entry[0]) && (provider == null || entry[0].length() > provider.length())) {
        provider = entry[0];
        jar = entry[1];
      }
    }
    String name = provider == null ? "" : " " + provider + (jar.isEmpty() ? "" : " (" + jar + ")");
    return new UserError(kind + " plug-in" + name + " cannot be loaded: " + reason(e)
        + "; fix or remove its jar from the class path", e);
  }

  /** Why loading failed, in a few words, from the error and its cause. */
  static String reason(Throwable e) {
    Throwable cause = e instanceof ServiceConfigurationError ? e.getCause() : e;
    if (cause instanceof NoSuchMethodException) {
      return "it has no public no-arg constructor (a service provider needs one)";
    }
    if (cause instanceof InvocationTargetException ite && ite.getCause() != null) {
      cause = ite.getCause();
    }
    if (cause instanceof UnsupportedClassVersionError) {
      return "it was compiled for a later Java (" + cause.getMessage() + ")";
    }
    if (cause instanceof NoClassDefFoundError) {
      return "a class it needs is missing: " + cause.getMessage()
          + " (a jar it depends on, or one built against another tapetrain version)";
    }
    if (cause instanceof LinkageError) {
      return "it does not link with this tapetrain (built against another version?): " + cause;
    }
    if (cause != null) {
      return "its constructor threw " + cause;
    }
    String text = String.valueOf(e.getMessage());
    if (text.endsWith(" not found")) { // "TYPE: Provider X not found"
      return "its class is not in the jar (nor elsewhere on the class path)";
    }
    int colon = text.indexOf(": ");
    return colon < 0 ? text : text.substring(colon + 2); // "X not a subtype" and the like
  }

  /** " (PATH)": the jar or directory {@code c} came from, or nothing when unknown. */
  private static String jarOf(Class<?> c) {
    try {
      var source = c.getProtectionDomain().getCodeSource();
      return source == null ? "" : " (" + Path.of(source.getLocation().toURI()) + ")";
    } catch (RuntimeException | java.net.URISyntaxException e) {
      return "";
    }
  }

  /** Each provider name in a services file of {@code type}, with the file's jar (or ""). */
  private static List<String[]> entries(Class<?> type) {
    List<String[]> out = new ArrayList<>();
    try {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      if (loader == null) {
        loader = ClassLoader.getSystemClassLoader();
      }
      Enumeration<URL> files = loader.getResources("META-INF/services/" + type.getName());
      while (files.hasMoreElements()) {
        URL file = files.nextElement();
        String jar = jar(file);
        try (BufferedReader r = new BufferedReader(
            new InputStreamReader(file.openStream(), StandardCharsets.UTF_8))) {
          for (String line = r.readLine(); line != null; line = r.readLine()) {
            int hash = line.indexOf('#');
            String name = (hash < 0 ? line : line.substring(0, hash)).strip();
            if (!name.isEmpty()) {
              out.add(new String[] {name, jar});
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // the message then names no provider: ServiceLoader's own text still says which
    }
    return out;
  }

  private static String jar(URL file) {
    try {
      if ("jar".equals(file.getProtocol())) {
        URL jar = ((JarURLConnection) file.openConnection()).getJarFileURL();
        return Path.of(jar.toURI()).toString();
      }
      if ("file".equals(file.getProtocol())) {
        // a classes directory: DIR/META-INF/services/TYPE
        return Path.of(file.toURI()).getParent().getParent().getParent().toString();
      }
    } catch (IOException | RuntimeException | java.net.URISyntaxException e) {
      // unknown
    }
    return "";
  }
}
