// What the code under test logs, read by the test: the logger at the level the test asks for, and every
// chunk written to stdout and stderr kept in an array instead of printed.
import { vi } from 'vitest'
import { logger } from '../../shared/log.js'

export interface LogCapture {
  /** Every chunk written since the capture began. */
  lines: string[]
  /** The logger silent again and the streams as they were. */
  stop(): void
}

export function captureLogs(level: Parameters<typeof logger.setLogLevel>[0]): LogCapture {
  const lines: string[] = []
  logger.setLogLevel(level)
  const spies = [process.stdout, process.stderr].map((stream) =>
    vi.spyOn(stream, 'write').mockImplementation((chunk) => lines.push(String(chunk)) > 0),
  )
  return {
    lines,
    stop() {
      logger.setLogLevel('SILENT')
      for (const spy of spies) spy.mockRestore()
    },
  }
}
