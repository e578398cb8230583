// vega: Vega from a terminal or a CI job, through the public API only.
//   vega login --email E             (password on stdin; the token is saved for the next commands)
//   vega push [dir] --repo R [--wait S] [--fail-on SEVERITY] [--baseline SCAN|BRANCH]
//   vega scan --repo R [--wait S]    vega wait SCAN [--wait S]    vega gate SCAN    vega sarif SCAN
//   vega findings --repo R [--scan S] [--new] [--severity SEV] [--status STATUS]
//   vega compare BASE HEAD
// Credentials: VEGA_API_KEY (or VEGA_TOKEN), else what `vega login` saved. API: --api, VEGA_API_URL, the
// saved one, or http://localhost:8000. Human tables by default, --json for scripts; progress on stderr.
// Exit codes: 0 pass, 1 gate failed (or fail-on reached, or the scan failed), 2 usage, 3 API error.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { type Api, ApiFailure, apiClient, dataOf } from './client.js'
import { push } from './push.js'

const usage = `usage: vega <command> [options]
  login --email E [--api URL]                      sign in (password on stdin), saved for later commands
  push [dir] --repo R [--wait S] [--fail-on SEV] [--baseline SCAN|BRANCH] [--engines a,b]
  scan --repo R [--wait S]                         rescan the repository's latest input
  wait SCAN [--wait S]                             until the scan is over; its gate decides the exit code
  gate SCAN                                        the scan's gate
  findings --repo R [--scan S] [--new] [--severity SEV] [--status STATUS]
  sarif SCAN                                       SARIF 2.1.0 on stdout
  compare BASE HEAD                                new, fixed and unchanged between two scans
options: --api URL  --json  (credentials: VEGA_API_KEY, or vega login)
exit codes: 0 pass, 1 gate failed / fail-on reached / scan failed, 2 usage, 3 API error`

const severities = ['critical', 'high', 'medium', 'low', 'info'] as const

class Usage extends Error {}
const say = (line: string) => process.stderr.write(`${line}\n`)

const credentialsFile = () =>
  join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'vega', 'credentials.json')

function saved(): { api?: string; token?: string } {
  try {
    return JSON.parse(readFileSync(credentialsFile(), 'utf8'))
  } catch {
    return {}
  }
}

type Scan = Awaited<ReturnType<typeof getScan>>
const getScan = async (api: Api, id: string) =>
  dataOf(await api.GET('/v1/scans/{scanId}', { params: { path: { scanId: id } } }))

/** Polls the scan until it is over, at most `seconds`; progress on stderr. */
async function waitFor(api: Api, id: string, seconds: number): Promise<Scan> {
  const until = Date.now() + seconds * 1000
  let last = ''
  for (;;) {
    const scan = await getScan(api, id)
    if (!['queued', 'running'].includes(scan.status)) return scan
    if (scan.status !== last) say(`vega: scan ${id} is ${scan.status}`)
    last = scan.status
    if (Date.now() > until)
      throw new ApiFailure(408, 'timeout', `scan ${id} is still ${scan.status} after ${seconds} s`)
    await new Promise((wake) => setTimeout(wake, 1000))
  }
}

function gateLines(scan: Scan): string[] {
  if (scan.status !== 'succeeded')
    return [`scan ${scan.id} ${scan.status}${scan.error ? `: ${scan.error.code}: ${scan.error.message}` : ''}`]
  const gate = scan.gate
  if (!gate) return [`scan ${scan.id} succeeded; no gate recorded`]
  return [
    `gate ${gate.verdict} (${gate.policy} policy, new against ${gate.baseline_scan_id ?? 'nothing'})`,
    ...gate.rules_fired.map((rule) => `  ${rule.effect.padEnd(6)} ${rule.rule}: ${rule.findings}`),
    `findings: ${scan.links.findings}`,
  ]
}

const passed = (scan: Scan) => scan.status === 'succeeded' && scan.gate?.verdict !== 'failed'

type Severity = (typeof severities)[number]

/** Whether the scan saw an open finding at or above the severity (one probe per severity, the filter takes one). */
async function reaching(api: Api, scan: Scan, failOn: Severity): Promise<boolean> {
  for (const severity of severities.slice(0, severities.indexOf(failOn) + 1)) {
    const page = dataOf(
      await api.GET('/v1/repositories/{id}/findings', {
        params: { path: { id: scan.repository_id }, query: { scan: scan.id, status: 'open', severity, limit: 1 } },
      }),
    )
    if (page.items.length > 0) return true
  }
  return false
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (!command) throw new Usage('name a command')
  if (command === 'help' || command === '--help') {
    console.log(usage)
    return 0
  }
  let parsed: ReturnType<typeof parse>
  const parse = () =>
    parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        api: { type: 'string' },
        json: { type: 'boolean', default: false },
        repo: { type: 'string' },
        wait: { type: 'string' },
        'fail-on': { type: 'string' },
        baseline: { type: 'string' },
        engines: { type: 'string' },
        email: { type: 'string' },
        scan: { type: 'string' },
        new: { type: 'boolean', default: false },
        severity: { type: 'string' },
        status: { type: 'string' },
      },
    })
  try {
    parsed = parse()
  } catch (error) {
    throw new Usage((error as Error).message)
  }
  const { values, positionals } = parsed
  const base = values.api ?? process.env.VEGA_API_URL ?? saved().api ?? 'http://localhost:8000'
  const seconds = (fallback: number) => {
    if (values.wait === undefined) return fallback
    if (!/^\d+$/.test(values.wait) || Number(values.wait) < 1) throw new Usage('--wait takes whole seconds')
    return Number(values.wait)
  }
  const out = (human: string, json: unknown) => console.log(values.json ? JSON.stringify(json, null, 2) : human)
  const needed = (value: string | undefined, what: string) =>
    value ??
    (() => {
      throw new Usage(`name ${what}`)
    })()

  if (command === 'login') {
    const email = needed(values.email, 'the account: --email')
    const password = readFileSync(0, 'utf8').trim()
    if (!password) throw new Usage('give the password on stdin')
    const answer = await fetch(`${base.replace(/\/+$/, '')}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    })
    const body = (await answer.json()) as { access_token?: string; error?: { code: string; message: string } }
    if (!answer.ok || !body.access_token)
      throw new ApiFailure(answer.status, body.error?.code ?? 'error', body.error?.message ?? '')
    mkdirSync(dirname(credentialsFile()), { recursive: true, mode: 0o700 })
    writeFileSync(credentialsFile(), JSON.stringify({ api: base, token: body.access_token }), { mode: 0o600 })
    chmodSync(credentialsFile(), 0o600)
    say(`vega: signed in to ${base} as ${email}; the token is saved in ${credentialsFile()}`)
    return 0
  }

  const credential = process.env.VEGA_API_KEY ?? process.env.VEGA_TOKEN ?? saved().token
  if (!credential) throw new Usage('set VEGA_API_KEY, or run vega login')
  const api = apiClient(base, credential)

  switch (command) {
    case 'push': {
      const failOn = values['fail-on']
      if (failOn && failOn !== 'none' && !(severities as readonly string[]).includes(failOn))
        throw new Usage(`--fail-on is one of ${severities.join(', ')} or none`)
      const wait = seconds(600)
      const options = [
        `vega.wait=${wait}`,
        ...(failOn ? [`vega.fail-on=${failOn}`] : []),
        ...(values.baseline ? [`vega.baseline=${values.baseline}`] : []),
        ...(values.engines ? [`vega.engines=${values.engines}`] : []),
      ]
      const outcome = await push({
        dir: resolve(positionals[0] ?? '.'),
        api,
        repositoryId: needed(values.repo, 'the repository: --repo rep_…'),
        pushOptions: options,
        say,
      })
      // When git printed the verdict its exit code says it. Otherwise (a bundle, or a scan longer than the
      // stage lets a push wait) the scan is followed through the API and judged here the same way.
      const scan = await waitFor(api, outcome.scanId, wait)
      out(`scan ${scan.id} ${scan.status}: ${scan.links.self}`, { route: outcome.route, scan })
      if (outcome.verdictInPush) return outcome.gitCode === 0 ? 0 : 1
      for (const line of gateLines(scan)) say(line)
      const reached = failOn && failOn !== 'none' ? await reaching(api, scan, failOn as Severity) : false
      if (reached) say(`vega: fail-on ${failOn}: open findings at or above it`)
      return passed(scan) && !reached ? 0 : 1
    }
    case 'scan': {
      const repositoryId = needed(values.repo, 'the repository: --repo rep_…')
      const queued = dataOf(
        await api.POST('/v1/repositories/{id}/scans', { params: { path: { id: repositoryId } }, body: {} }),
      )
      say(`vega: scan ${queued.id} queued`)
      if (values.wait === undefined) {
        out(`scan ${queued.id} ${queued.status}: ${queued.links.self}`, queued)
        return 0
      }
      const scan = await waitFor(api, queued.id, seconds(600))
      out(gateLines(scan).join('\n'), scan)
      return passed(scan) ? 0 : 1
    }
    case 'wait':
    case 'gate': {
      const id = needed(positionals[0], 'the scan: vega wait scan_…')
      const scan = command === 'wait' ? await waitFor(api, id, seconds(600)) : await getScan(api, id)
      out(gateLines(scan).join('\n'), command === 'gate' ? { id: scan.id, status: scan.status, gate: scan.gate } : scan)
      return passed(scan) ? 0 : 1
    }
    case 'findings': {
      const repositoryId = needed(values.repo, 'the repository: --repo rep_…')
      if (values.new && !values.scan) throw new Usage('--new needs --scan (new against its baseline)')
      const scan = values.scan ? await getScan(api, values.scan) : undefined
      const query = {
        ...(values.scan ? { scan: values.scan } : {}),
        ...(values.new && scan?.gate?.baseline_scan_id ? { baseline: scan.gate.baseline_scan_id, only: 'new' } : {}),
        ...(values.severity ? { severity: values.severity } : {}),
        ...(values.status ? { status: values.status } : {}),
        limit: 200,
      }
      // Every page, up to 2,000 findings: a table longer than that is read better with --json and a filter.
      const items = []
      let cursor: string | undefined
      do {
        const page = dataOf(
          await api.GET('/v1/repositories/{id}/findings', {
            params: { path: { id: repositoryId }, query: { ...query, ...(cursor ? { cursor } : {}) } as never },
          }),
        )
        items.push(...page.items)
        cursor = page.next_cursor ?? undefined
      } while (cursor && items.length < 2000)
      if (cursor) say('vega: the first 2,000 findings; narrow them with --severity, --status or --scan')
      const page = { items, next_cursor: cursor ?? null }
      const rows = page.items.map((finding) => [
        finding.severity,
        finding.engine,
        finding.rule_id,
        `${finding.path}:${finding.start_line}`,
        finding.title.slice(0, 60),
      ])
      out(rows.length ? table([['SEVERITY', 'ENGINE', 'RULE', 'WHERE', 'TITLE'], ...rows]) : 'no findings', page)
      return 0
    }
    case 'sarif': {
      const scan = await getScan(api, needed(positionals[0], 'the scan: vega sarif scan_…'))
      const answer = await fetch(scan.links.sarif, { headers: { authorization: `Bearer ${credential}` } })
      if (!answer.ok) throw new ApiFailure(answer.status, 'error', await answer.text())
      process.stdout.write(await answer.text())
      return 0
    }
    case 'compare': {
      const [baseId, headId] = positionals
      if (!baseId || !headId) throw new Usage('name two scans: vega compare BASE HEAD')
      const head = await getScan(api, headId)
      const comparison = dataOf(
        await api.GET('/v1/repositories/{id}/compare', {
          params: { path: { id: head.repository_id }, query: { base: baseId, head: headId } },
        }),
      )
      const count = (list: unknown[]) => String(list.length)
      out(
        table([
          ['NEW', 'FIXED', 'UNCHANGED'],
          [count(comparison.new), count(comparison.fixed), count(comparison.unchanged)],
        ]),
        comparison,
      )
      return 0
    }
    default:
      throw new Usage(`no command ${JSON.stringify(command)}`)
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof Usage) {
      say(`vega: ${error.message}\n${usage}`)
      process.exit(2)
    }
    say(`vega: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(3)
  },
)
