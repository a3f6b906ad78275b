package com.example;

import dev.tapetrain.models.Model;
import dev.tapetrain.models.ModelFactory;
import dev.tapetrain.models.ModelOptions;
import dev.tapetrain.spi.Setting;
import java.util.List;

/** A model whose setting takes the name of an option ({@code --steps}): refused when loaded. */
public final class ShadowingModel implements ModelFactory {

  @Override
  public String name() {
    return "shadowing";
  }

  @Override
  public List<Setting> settings() {
    return List.of(Setting.integer("steps", 3, Setting.Range.atLeast(1), "shadows --steps"));
  }

  @Override
  public Model create(ModelOptions options) {
    throw new AssertionError("a refused model is never built");
  }
}
