import type { AxesLogger, AxesLogRecord } from '../../src/index.js'

/**
 * A logger that keeps every record it is given: `lines` with the level and message text,
 * `records` with the level and the whole record, for tests to read.
 */
export function recordingLogger() {
  const lines: { level: string; message: string }[] = []
  const records: { level: string; record: AxesLogRecord }[] = []
  const keep = (level: string) => (record: AxesLogRecord) => {
    lines.push({ level, message: record.msg })
    records.push({ level, record })
  }
  const logger: AxesLogger = {
    debug: keep('debug'),
    info: keep('info'),
    warn: keep('warn'),
    error: keep('error'),
  }
  return { logger, lines, records }
}
