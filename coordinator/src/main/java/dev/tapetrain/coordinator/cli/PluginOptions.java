package dev.tapetrain.coordinator.cli;

import dev.tapetrain.coordinator.optim.Optimizers;
import dev.tapetrain.data.InputFormat;
import dev.tapetrain.data.InputFormats;
import dev.tapetrain.models.BuiltInModels;
import dev.tapetrain.spi.Plugin;
import dev.tapetrain.spi.Setting;
import dev.tapetrain.spi.Settings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The command-line side of plug-in settings. Every setting a built-in model, optimizer or input
 * format declares is an option of its own ({@code --hidden}, {@code --momentum},
 * {@code --examples}), generated here from the declaration (name, kind, default, help); any
 * other plug-in's settings are given as {@code --set NAME=VALUE}. After parsing, {@link
 * #settings} gives each chosen plug-in exactly its own settings, checked, and refuses an option
 * that belongs to a plug-in the run does not use.
 */
final class PluginOptions {

  /** A built-in plug-in: its kind (the option that chooses it) and itself. */
  private record Owner(String option, Plugin plugin) {}

  /** The built-in plug-ins whose settings become options, by kind's option. */
  private static Map<String, List<? extends Plugin>> builtIns() {
    Map<String, List<? extends Plugin>> out = new LinkedHashMap<>();
    out.put("--model", BuiltInModels.factories());
    out.put("--optimizer", Optimizers.builtIns());
    out.put("--format", InputFormats.builtIns());
    return out;
  }

  private final Map<String, List<Owner>> owners = new LinkedHashMap<>();
  private final Map<String, Setting> declarations = new LinkedHashMap<>();

  PluginOptions() {
    builtIns().forEach((option, plugins) -> {
      for (Plugin p : plugins) {
        for (Setting s : p.settings()) {
          owners.computeIfAbsent(s.name(), n -> new ArrayList<>()).add(new Owner(option, p));
          declarations.putIfAbsent(s.name(), s);
        }
      }
    });
  }

  /** Adds an option per built-in setting to {@code spec} (once). */
  void addTo(CommandSpec spec) {
    for (Setting s : declarations.values()) {
      String option = "--" + s.name();
      if (spec.findOption(option) != null) {
        continue;
      }
      List<String> users = new ArrayList<>();
      for (Owner o : owners.get(s.name())) {
        users.add(o.plugin().name());
      }
      String help = s.help() + (s.kind() == Setting.Kind.FLAG ? "" : " (" + String.join(", ",
          users) + "; default: " + s.defaultText() + ")");
      OptionSpec.Builder b = OptionSpec.builder(option).description(help);
      if (s.kind() == Setting.Kind.FLAG) {
        b.type(boolean.class).arity("0");
      } else {
        b.type(String.class).paramLabel(s.name().toUpperCase(Locale.ROOT).replace('-', '_'));
      }
      spec.addOption(b.build());
    }
  }

  /** Whether {@code name} is a built-in setting with an option of its own. */
  boolean isOption(String name) {
    return declarations.containsKey(name);
  }

  /**
   * The settings of {@code chosen} (selected by {@code kindOption}), from its options (a
   * built-in) or from {@code --set} (anyone else's).
   */
  Settings settings(String kindOption, Plugin chosen, boolean builtIn, ParseResult parsed,
      Map<String, String> set) {
    Map<String, String> given = new TreeMap<>();
    for (Setting s : chosen.settings()) {
      if (builtIn) {
        String option = "--" + s.name();
        if (parsed != null && parsed.hasMatchedOption(option)) {
          given.put(s.name(), s.kind() == Setting.Kind.FLAG ? "true"
              : parsed.matchedOptionValue(option, ""));
        }
      } else if (set.containsKey(s.name())) {
        given.put(s.name(), set.get(s.name()));
      }
    }
    String prefix = builtIn ? "--" : "--set ";
    return Settings.of(chosen.settings(), given, n -> prefix + n);
  }

  /**
   * Refuses what the chosen plug-ins do not take: an option of a built-in setting none of them
   * declares (e.g. {@code --hidden} with {@code --model linear}), and a {@code --set} name no
   * plug-in of the run declares (or that has an option of its own).
   *
   * @param chosen the run's plug-ins by the option that chose them, and whether each is built in
   */
  void checkApplies(ParseResult parsed, Map<String, Plugin> chosen, Set<String> builtIn,
      Map<String, String> set) {
    if (parsed != null) {
      for (String name : declarations.keySet()) {
        if (!parsed.hasMatchedOption("--" + name)) {
          continue;
        }
        Setting declared = declarations.get(name);
        if (declared.kind() != Setting.Kind.FLAG) {
          // A bad value is named as such, whichever plug-in the option belongs to.
          declared.canonical(parsed.matchedOptionValue("--" + name, ""), "--" + name);
        }
        boolean used = false;
        for (Owner o : owners.get(name)) {
          Plugin c = chosen.get(o.option());
          used |= c != null && c.name().equals(o.plugin().name());
        }
        if (!used) {
          throw new UsageException(notApplying(name, chosen));
        }
      }
    }
    for (String name : set.keySet()) {
      if (isOption(name)) {
        throw new UsageException("--set " + name + ": it is an option of its own; use --" + name);
      }
      boolean declared = false;
      for (Map.Entry<String, Plugin> e : chosen.entrySet()) {
        if (builtIn.contains(e.getKey())) {
          continue;
        }
        declared |= e.getValue().settings().stream().anyMatch(s -> s.name().equals(name));
      }
      if (!declared) {
        List<String> where = new ArrayList<>();
        chosen.forEach((option, p) -> where.add(option + " " + p.name()));
        throw new UsageException("--set " + name + ": no setting '" + name + "' in "
            + String.join(", ", where));
      }
    }
  }

  private String notApplying(String name, Map<String, Plugin> chosen) {
    Owner first = owners.get(name).get(0);
    if (first.option().equals("--format") && chosen.get("--format") != null) {
      Plugin format = chosen.get("--format");
      if (first.plugin().name().equals(dev.tapetrain.protocol.DatasetSpec.SYNTHETIC)) {
        return "--" + name + " describes synthetic data and cannot be used with --data";
      }
      return "--" + name + " does not apply to data of format " + format.name();
    }
    Plugin c = chosen.get(first.option());
    return "--" + name + " does not apply to " + first.option() + " "
        + (c == null ? "?" : c.name()) + " (it is a setting of " + first.option() + " "
        + String.join(", ", owners.get(name).stream().map(o -> o.plugin().name()).toList())
        + ")";
  }

  /** The chosen format is a built-in one. */
  static boolean isBuiltInFormat(InputFormat f) {
    return InputFormats.builtIns().stream().anyMatch(b -> b.name().equals(f.name()));
  }
}
