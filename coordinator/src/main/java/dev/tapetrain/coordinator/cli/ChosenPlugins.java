package dev.tapetrain.coordinator.cli;

import dev.tapetrain.coordinator.optim.OptimizerFactory;
import dev.tapetrain.coordinator.optim.Optimizers;
import dev.tapetrain.data.DataPaths;
import dev.tapetrain.data.InputFormat;
import dev.tapetrain.data.InputFormats;
import dev.tapetrain.models.ModelFactory;
import dev.tapetrain.models.Models;
import dev.tapetrain.spi.Plugin;
import dev.tapetrain.spi.Plugins;
import dev.tapetrain.spi.Settings;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

/**
 * The model, optimizer and input format a command line chooses (part of
 * {@link TrainOptions#toRunSpec}), with the data files the format reads and each plug-in's own
 * settings, checked.
 *
 * @param model             the {@code --model}
 * @param optimizer         the {@code --optimizer}
 * @param input             the {@code --format}, given or chosen for the files
 * @param files             the {@code --data} files, resolved (empty: synthetic data)
 * @param modelSettings     the model's settings
 * @param optimizerSettings the optimizer's settings
 * @param formatSettings    the input format's settings
 */
record ChosenPlugins(ModelFactory model, OptimizerFactory optimizer, InputFormat input,
    List<Path> files, Settings modelSettings, Settings optimizerSettings,
    Settings formatSettings) {

  /**
   * Chooses the plug-ins named by {@code model}, {@code optimizer} and {@code format} (null:
   * by the data) for the command {@code mixee} (null: none known), reading the settings from its
   * parsed options and {@code set}.
   *
   * @throws UsageException (or another {@link dev.tapetrain.spi.UserError}) for an unknown
   *     plug-in, a setting it does not have, or bad data paths
   */
  static ChosenPlugins choose(CommandSpec mixee, PluginOptions pluginOptions, String model,
      String optimizer, String format, List<String> data, Map<String, String> set) {
    Set<String> options = optionNames(mixee);
    Plugins<ModelFactory> models = Models.plugins(options);
    Plugins<OptimizerFactory> optimizers = Optimizers.plugins(options);
    Plugins<InputFormat> formats = InputFormats.plugins(options);
    ModelFactory modelFactory = models.get(model, "--model");
    OptimizerFactory optimizerFactory = optimizers.get(optimizer, "--optimizer");
    List<Path> files = data == null ? List.of()
        : DataPaths.resolve(data, f -> InputFormats.claimed(formats, f)
            && (format == null || formats.get(format, "--format").reads(f)));
    InputFormat input = InputFormats.chooseFor(formats, format, files);
    Map<String, Plugin> chosen = new LinkedHashMap<>();
    chosen.put("--model", modelFactory);
    chosen.put("--optimizer", optimizerFactory);
    chosen.put("--format", input);
    Set<String> builtIn = new HashSet<>();
    if (models.isBuiltIn(model)) {
      builtIn.add("--model");
    }
    if (optimizers.isBuiltIn(optimizer)) {
      builtIn.add("--optimizer");
    }
    if (formats.isBuiltIn(input.name())) {
      builtIn.add("--format");
    }
    ParseResult parsed = mixee != null && mixee.commandLine() != null
        ? mixee.commandLine().getParseResult() : null;
    pluginOptions.checkApplies(parsed, chosen, builtIn, set);
    Settings modelSettings = pluginOptions.settings("--model", modelFactory,
        builtIn.contains("--model"), parsed, set);
    Settings optimizerSettings = pluginOptions.settings("--optimizer", optimizerFactory,
        builtIn.contains("--optimizer"), parsed, set);
    Settings formatSettings = pluginOptions.settings("--format", input,
        builtIn.contains("--format"), parsed, set);
    return new ChosenPlugins(modelFactory, optimizerFactory, input, files, modelSettings,
        optimizerSettings, formatSettings);
  }

  /** The names of this command's options, without dashes: what a plug-in may not shadow. */
  private static Set<String> optionNames(CommandSpec mixee) {
    Set<String> out = new HashSet<>();
    if (mixee != null) {
      for (picocli.CommandLine.Model.OptionSpec o : mixee.options()) {
        for (String n : o.names()) {
          out.add(n.replaceFirst("^-+", ""));
        }
      }
    }
    return out;
  }
}
