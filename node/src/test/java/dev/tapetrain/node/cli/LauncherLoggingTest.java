package dev.tapetrain.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.turbo.TurboFilter;
import dev.tapetrain.node.ArteryWarnings;
import dev.tapetrain.node.JoinWarnings;
import dev.tapetrain.node.LeftMemberFilter;
import java.net.URL;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * tapetrain's commands log with tapetrain's configuration, named by their main, unless the user
 * names another; the node jar carries none at its root, which Logback would take for an
 * embedding application's.
 */
class LauncherLoggingTest {

  @Test
  void theNodeJarCarriesNoLogbackConfigurationAtItsRoot() {
    ClassLoader loader = LauncherLogging.class.getClassLoader();
    assertNull(loader.getResource("logback.xml"));
    assertNull(loader.getResource("logback-test.xml"));
  }

  @Test
  void startNamesTapetrainsConfigurationUnlessTheUserNamedOne() {
    String was = System.getProperty(LauncherLogging.PROPERTY);
    try {
      System.clearProperty(LauncherLogging.PROPERTY);
      LauncherLogging.start();
      assertEquals(LauncherLogging.CONFIGURATION, System.getProperty(LauncherLogging.PROPERTY));
      System.setProperty(LauncherLogging.PROPERTY, "/etc/mine.xml");
      LauncherLogging.start();
      assertEquals("/etc/mine.xml", System.getProperty(LauncherLogging.PROPERTY), "the user's");
    } finally {
      if (was == null) {
        System.clearProperty(LauncherLogging.PROPERTY);
      } else {
        System.setProperty(LauncherLogging.PROPERTY, was);
      }
    }
  }

  @Test
  void theConfigurationIsTheLaunchersWarningsOnlyWithTheFiltersInOrder() throws Exception {
    URL url = LauncherLogging.class.getClassLoader().getResource(LauncherLogging.CONFIGURATION);
    assertNotNull(url, LauncherLogging.CONFIGURATION);
    LoggerContext context = new LoggerContext();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(url);
    assertEquals(List.of(JoinWarnings.class, ArteryWarnings.class, LeftMemberFilter.class),
        context.getTurboFilterList().stream().map(TurboFilter::getClass).toList());
    assertEquals(Level.WARN, context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getLevel());
    assertNotNull(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR"));
    context.stop();
  }
}
