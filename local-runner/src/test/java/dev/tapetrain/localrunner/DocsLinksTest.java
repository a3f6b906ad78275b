package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README links into {@code docs/} for depth: every relative link of the README and of the
 * docs must name a file that exists and, with {@code #anchor}, a heading of that file (GitHub's
 * anchor rule: lower case, spaces to dashes, punctuation dropped). A moved or renamed page or
 * heading fails here instead of leaving a dead link.
 */
class DocsLinksTest {

  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

  @Test
  void everyRelativeLinkOfTheReadmeAndTheDocsLeadsToAFileAndHeading() throws IOException {
    Path root = Path.of("..").toRealPath();
    List<Path> pages = new ArrayList<>();
    pages.add(root.resolve("README.md"));
    try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    assertTrue(pages.size() > 1, "no docs/*.md found");
    List<String> dead = new ArrayList<>();
    int checked = 0;
    for (Path page : pages) {
      Matcher m = LINK.matcher(Files.readString(page));
      while (m.find()) {
        String target = m.group(1);
        if (target.matches("[a-z]+:.*")) {
          continue; // http:, https:, mailto:
        }
        checked++;
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        Path linked = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        if (!Files.exists(linked)) {
          dead.add(root.relativize(page) + ": " + target + " (no such file)");
        } else if (hash >= 0 && !anchors(linked).contains(target.substring(hash + 1))) {
          dead.add(root.relativize(page) + ": " + target + " (no such heading)");
        }
      }
    }
    assertTrue(checked > 5, "the README links into docs/: " + checked + " links found");
    assertEquals(List.of(), dead);
  }

  @Test
  void anchorsFollowGitHubsRule() {
    assertEquals("what-protects-a-nodes-port", anchor("What protects a node's port"));
    assertEquals("the-tape-engine", anchor("The tape engine"));
    assertEquals("use-the-trained-model-predict-onnx-tensorboard",
        anchor("Use the trained model: predict, ONNX, TensorBoard"));
  }

  private static Set<String> anchors(Path page) throws IOException {
    Set<String> out = new HashSet<>();
    boolean code = false;
    for (String line : Files.readAllLines(page)) {
      if (line.startsWith("```")) {
        code = !code;
      } else if (!code && line.startsWith("#")) {
        out.add(anchor(line.replaceFirst("^#+\\s*", "")));
      }
    }
    return out;
  }

  private static String anchor(String heading) {
    return heading.strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "")
        .replace(' ', '-');
  }
}
