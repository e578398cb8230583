// `git push -o vega.<name>=<value>`: what a push asks of its scan. Any other option, or a malformed value,
// refuses the push with a line that says which options there are, before anything is stored.
import { config } from '../config.js'
import { refNameProblem } from '../git/ref-name.js'
import { ScanId } from '../ids.js'
import { type EngineName, engineNames, type Severity, severities } from '../scanning/engine.js'

export interface PushOptions {
  /** Hold the push's answer until the scan has a verdict, at most this long (seconds). */
  waitS?: number
  /** Reject the ref when the scan finds an open finding at or above this severity (`none`: never). */
  failOn?: Severity | 'none'
  engines?: EngineName[]
  maxCost?: number
  /** What the gate counts as new against: a scan id of this repository, or a branch. */
  baseline?: string
}

export const pushOptionNames = ['vega.wait', 'vega.fail-on', 'vega.engines', 'vega.max-cost', 'vega.baseline'] as const

const usage = `Vega takes ${pushOptionNames.map((name) => `-o ${name}=…`).join(', ')}`

/** The options, or why they are refused. Waits above the stage's limit are cut to it (and said so). */
export function parsePushOptions(raw: string[]): { options: PushOptions; notes: string[] } | { error: string } {
  const options: PushOptions = {}
  const notes: string[] = []
  for (const option of raw) {
    const at = option.indexOf('=')
    const [name, value] = at === -1 ? [option, ''] : [option.slice(0, at), option.slice(at + 1)]
    const shown = JSON.stringify(option.slice(0, 100))
    switch (name) {
      case 'vega.wait': {
        const seconds = Number(value)
        if (!/^\d+$/.test(value) || seconds < 1)
          return { error: `push option ${shown}: give whole seconds, e.g. vega.wait=120` }
        const most = config().GIT_PUSH_WAIT_MAX_S
        if (seconds > most) notes.push(`Vega: vega.wait=${seconds} is over this stage's ${most} s; waiting ${most} s`)
        options.waitS = Math.min(seconds, most)
        break
      }
      case 'vega.fail-on':
        if (value !== 'none' && !(severities as readonly string[]).includes(value))
          return { error: `push option ${shown}: fail-on is one of ${severities.join(', ')} or none` }
        options.failOn = value as Severity | 'none'
        break
      case 'vega.engines': {
        const names = value.split(',').map((part) => part.trim())
        const unknown = names.filter((part) => !(engineNames as readonly string[]).includes(part))
        if (value === '' || unknown.length > 0)
          return { error: `push option ${shown}: engines are a comma-separated list of ${engineNames.join(', ')}` }
        options.engines = [...new Set(names)] as EngineName[]
        break
      }
      case 'vega.max-cost': {
        const amount = Number(value)
        if (!/^\d+(\.\d+)?$/.test(value) || amount <= 0)
          return {
            error: `push option ${shown}: max-cost is an amount in the billing currency, e.g. vega.max-cost=0.50`,
          }
        options.maxCost = amount
        break
      }
      case 'vega.baseline': {
        const problem = ScanId.safeParse(value).success ? undefined : refNameProblem(`refs/heads/${value}`)
        if (value === '' || problem)
          return {
            error: `push option ${shown}: baseline is a scan id (scan_…) or a branch name${problem ? `; that name ${problem}` : ''}`,
          }
        options.baseline = value
        break
      }
      default:
        return { error: `push option ${shown} is not one Vega knows. ${usage}` }
    }
  }
  return { options, notes }
}
