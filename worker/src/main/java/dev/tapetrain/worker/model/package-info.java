/**
 * The model trained by tapetrain, written with the tape engine, and the evaluation of a worker's
 * chunks. No Akka.
 */
package dev.tapetrain.worker.model;
