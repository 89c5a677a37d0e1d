/**
 * A serving process outlives a stray error: an exception nothing caught, or a rejection nothing awaited (a
 * socket handler's bug, a library emitting on a closed connection), is logged at error level and the server
 * goes on serving everyone else. Installed only once the server listens: a failure while starting still ends
 * the process (or rejects startServer) as before, so a broken configuration is never masked.
 */
import type { Logger } from './logger.js';

/** Starts logging stray errors instead of dying of them; returns the function that stops (on server stop). */
export function surviveStrayErrors(logger: Logger): () => void {
  const onRejection = (reason: unknown): void =>
    logger.error({ err: reason }, 'unhandled promise rejection; the server goes on');
  const onException = (err: Error, origin: string): void =>
    logger.error({ err, origin }, 'uncaught exception; the server goes on');
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
