/** The logger option's shape and node-axes' default logger. */

/** A logger: `console`, pino, winston and most others fit. */
export interface AxesLogger {
  debug?(message: string, ...details: unknown[]): void
  info(message: string, ...details: unknown[]): void
  warn(message: string, ...details: unknown[]): void
  error(message: string, ...details: unknown[]): void
}

/** A logger method that logs nothing (the default logger's `debug` and `info`). */
export const quiet = (): void => {}

/**
 * The default logger: warnings and errors to the console, `info` and `debug` dropped (as Python's
 * logging shows WARNING and above by default). Pass `console` to see every failure and login.
 */
export const defaultLogger: AxesLogger = {
  debug: quiet,
  info: quiet,
  warn: (message, ...details) => console.warn(message, ...details),
  error: (message, ...details) => console.error(message, ...details),
}
