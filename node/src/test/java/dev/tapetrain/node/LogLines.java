package dev.tapetrain.node;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The lines one logger writes while a test runs (logback); close to stop listening. */
final class LogLines implements AutoCloseable {

  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  LogLines(String loggerName) {
    logger = (Logger) LoggerFactory.getLogger(loggerName);
    appender.start();
    logger.addAppender(appender);
  }

  /** The formatted messages so far. */
  List<String> lines() {
    synchronized (appender) { // AppenderBase appends under this lock
      return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  /** How many lines so far contain {@code text}. */
  long count(String text) {
    return lines().stream().filter(l -> l.contains(text)).count();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
