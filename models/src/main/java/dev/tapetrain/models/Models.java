package dev.tapetrain.models;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The models this JVM can train: the built-ins ({@link BuiltInModels}) and every
 * {@link ModelFactory} on the class path ({@link ServiceLoader}). A name is taken once; a
 * user's model cannot replace a built-in.
 */
public final class Models {

  private Models() {}

  /** Every available factory by name: the built-ins first, then the class path's, by name. */
  public static Map<String, ModelFactory> available() {
    Map<String, ModelFactory> out = new LinkedHashMap<>();
    for (ModelFactory f : BuiltInModels.factories()) {
      out.put(f.name(), f);
    }
    List<ModelFactory> found = new ArrayList<>();
    ServiceLoader.load(ModelFactory.class).forEach(found::add);
    found.sort(java.util.Comparator.comparing(ModelFactory::name));
    for (ModelFactory f : found) {
      out.putIfAbsent(f.name(), f);
    }
    return out;
  }

  /**
   * The model {@code name} for {@code options}.
   *
   * @throws IllegalArgumentException for an unknown name (listing the available ones), options
   *     that do not fit the model, or a model that fails while it is built
   */
  public static Model create(String name, ModelOptions options) {
    Map<String, ModelFactory> all = available();
    ModelFactory f = all.get(name);
    if (f == null) {
      throw new IllegalArgumentException("--model: unknown model '" + name + "' (available: "
          + String.join(", ", all.keySet()) + ")");
    }
    try {
      Model m = f.create(options);
      if (m == null || m.parameters() == null || m.parameters().isEmpty()) {
        throw new IllegalArgumentException("--model " + name + " has no parameters");
      }
      return m;
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--model " + name + " failed while it was built: " + e,
          e);
    }
  }
}
