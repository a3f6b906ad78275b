package dev.tapetrain.localrunner;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The part of one command line that belongs to one role: {@code launch} hands every pod the
 * same options, and each role drops those only the other role takes, with their values. Options
 * neither knows stay, so the role refuses them by name.
 */
final class LaunchOptions {

  private LaunchOptions() {}

  /** {@code args} without the options that {@code other} takes and {@code role} does not. */
  static String[] keep(String[] args, CommandSpec role, CommandSpec other) {
    List<String> kept = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--")) {
        kept.addAll(List.of(args).subList(i, args.length));
        break;
      }
      if (!a.startsWith("-")) {
        kept.add(a);
        continue;
      }
      int eq = a.indexOf('=');
      String name = eq > 0 ? a.substring(0, eq) : a;
      OptionSpec mine = role.findOption(name);
      OptionSpec theirs = other.findOption(name);
      OptionSpec option = mine != null ? mine : theirs;
      boolean takesValue = option != null && eq < 0 && option.arity().max() > 0
          && i + 1 < args.length;
      if (mine == null && theirs != null) {
        i += takesValue ? 1 : 0;
        continue;
      }
      kept.add(a);
      if (takesValue) {
        kept.add(args[++i]);
      }
    }
    return kept.toArray(String[]::new);
  }
}
