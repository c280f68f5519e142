import type { AxesLogger } from '../../src/index.js'

/** A logger that keeps every line it is given, with its level, for tests to read. */
export function recordingLogger() {
  const lines: { level: string; message: string }[] = []
  const logger: AxesLogger = {
    debug: (message) => lines.push({ level: 'debug', message }),
    info: (message) => lines.push({ level: 'info', message }),
    warn: (message) => lines.push({ level: 'warn', message }),
    error: (message) => lines.push({ level: 'error', message }),
  }
  return { logger, lines }
}
