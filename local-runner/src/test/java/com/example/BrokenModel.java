package com.example;

import dev.tapetrain.models.Model;
import dev.tapetrain.models.ModelFactory;
import dev.tapetrain.models.ModelOptions;

/** A user's model that fails while it is built, as one missing a file it needs would. */
public final class BrokenModel implements ModelFactory {

  @Override
  public String name() {
    return "test-broken";
  }

  @Override
  public Model create(ModelOptions options) {
    throw new IllegalStateException("weights file missing");
  }
}
