/**
 * The exit-code rules shared by every tapetrain command ({@code local-runner},
 * {@code coordinator}, {@code worker}): bad input is one line on stderr and exit code 2.
 * Depends on picocli and {@code spi} ({@link dev.tapetrain.spi.UserError}) only.
 */
package dev.tapetrain.node.cli;
