// What the npm-run scripts share: options parsed by node:util, and a usage error that exits 2 with the usage line.
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util'
import { type Severity, severities } from '../shared/scanning/engine.js'

export function commandLine<const O extends ParseArgsOptionsConfig>(usage: string, options: O) {
  const fail = (message: string): never => {
    console.error(`${message}\n${usage}`)
    process.exit(2)
  }
  try {
    return { ...parseArgs({ allowPositionals: true, options }), fail }
  } catch (error) {
    return fail((error as Error).message)
  }
}

/** `--fail-on`: a severity, or `none`. */
export function failOnValue(value: string, fail: (message: string) => never): Severity | 'none' {
  if (value === 'none' || (severities as readonly string[]).includes(value)) return value as Severity | 'none'
  return fail(`--fail-on is one of ${severities.join(', ')} or none`)
}
