// The sinks JavaScript taint follows request input to, each with its CWE and what makes it safe.
import type { SgNode } from '@ast-grep/napi'
import type { FlowStep, Severity } from '../../../engine.js'

type TaintOf = (node: SgNode) => FlowStep[] | undefined

export interface Sink {
  id: string
  title: string
  severity: Severity
  cwe: string[]
  fix: string
  callee: RegExp
  /** The flow into the call that makes it dangerous, or undefined when none does. */
  taintedBy(call: SgNode, taintOf: TaintOf, scope: SgNode): FlowStep[] | undefined
}

const argumentsOf = (call: SgNode): SgNode[] =>
  (call.field('arguments')?.children() ?? []).filter((node) => node.isNamed() && node.kind() !== 'comment')

/** The first argument's taint: the query text, the command, the path, the URL. */
const firstArgument = (call: SgNode, taintOf: TaintOf) => {
  const first = argumentsOf(call)[0]
  return first && first.kind() !== 'object' ? taintOf(first) : undefined
}

/**
 * An allow-list or format check the author wrote: an `if` around the call whose test uses the value, or an
 * earlier `if (…) return|throw` in an enclosing block whose test calls something on what the value is
 * built from (`if (!isAllowed(to)) return`, `if (file.includes('..')) throw …`). A presence or type test
 * (`if (!url) return`, `typeof`) calls nothing and is no guard.
 */
function checkedByCondition(call: SgNode, value: SgNode | undefined): boolean {
  if (!value) return false
  const name = value.text()
  for (const ancestor of call.ancestors()) {
    if (ancestor.kind() !== 'if_statement') continue
    const condition = ancestor.field('condition')?.text() ?? ''
    if (condition.includes(name) && /\(|===|==/.test(condition)) return true
  }
  return guardedBefore(call, namesIn(value))
}

const functionKinds =
  /^(function_declaration|function_expression|function|arrow_function|method_definition|generator_function\w*)$/

/** The variables and member paths a value is built from (`'/srv/' + file` → `file`), callees aside. */
function namesIn(value: SgNode): string[] {
  const kind = value.kind()
  if (kind === 'identifier' || kind === 'member_expression') return [value.text()]
  return value
    .findAll({ rule: { any: [{ kind: 'identifier' }, { kind: 'member_expression' }] } })
    .filter((node) => {
      const parent = node.parent()
      return (
        parent?.kind() !== 'member_expression' &&
        !(parent?.kind() === 'call_expression' && parent.field('function')?.id() === node.id())
      )
    })
    .map((node) => node.text())
}

function guardedBefore(call: SgNode, names: string[]): boolean {
  if (!names.length) return false
  const escaped = names.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')
  const unit = `(?<![\\w$.])(?:${escaped})(?![\\w$])`
  // A method called on the value, or the value among a call's arguments (one level of nesting).
  const checks = new RegExp(`${unit}\\s*\\.\\s*[\\w$]+\\s*\\(|[\\w$\\]]\\s*\\((?:[^()]|\\([^()]*\\))*?${unit}`)
  let child = call
  for (const ancestor of call.ancestors()) {
    if (ancestor.kind() === 'statement_block' || ancestor.kind() === 'program')
      for (const statement of child.prevAll()) if (exitsWhen(statement, checks)) return true
    if (functionKinds.test(String(ancestor.kind()))) return false
    child = ancestor
  }
  return false
}

/** `if (test) return …` / `throw …` (alone or ending a block), whose test matches. */
function exitsWhen(statement: SgNode, test: RegExp): boolean {
  if (statement.kind() !== 'if_statement') return false
  const consequence = statement.field('consequence')
  if (!consequence) return false
  const exits = (node: SgNode) => node.kind() === 'return_statement' || node.kind() === 'throw_statement'
  const exiting = exits(consequence) || (consequence.kind() === 'statement_block' && consequence.children().some(exits))
  return exiting && test.test(statement.field('condition')?.text() ?? '')
}

/** `typeof x === 'string'` style guards anywhere in the function make operator objects impossible. */
const typeChecked = (scope: SgNode, valueText: string) =>
  new RegExp(`typeof\\s+${valueText.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*[!=]==?\\s*['"]string['"]`).test(
    scope.text(),
  )

const keyOf = (pair: SgNode) => pair.field('key')?.text().replace(/['"]/g, '') ?? ''

/**
 * The filter an ORM's options object holds in `where`, when its values can be operators: Prisma reads a
 * plain object (`{ contains: '' }`) as a filter; Sequelize (5 and later) and TypeORM take operators only as
 * symbols or classes JSON cannot produce, so a column's value there is a bound parameter. A `where` that is
 * itself input (`where: req.query`) is reported whatever the ORM. Undefined: nothing to check.
 */
function ormFilter(call: SgNode, options: SgNode, taintOf: TaintOf): SgNode | FlowStep[] | undefined {
  const where = options.children().find((pair) => pair.kind() === 'pair' && keyOf(pair) === 'where')
  const value = where?.field('value')
  if (!value) return undefined
  if (value.kind() !== 'object') return taintOf(value)
  return /(^|\.)prisma\./i.test(calleeName(call) ?? '') ? value : undefined
}

/** Concatenation and template literals build strings, which cannot be operator objects. */
const producesString = (value: SgNode) =>
  value.kind() === 'template_string' ||
  (value.kind() === 'binary_expression' && value.field('operator')?.text() === '+')

/**
 * Input that is always a string: route parameters, headers, `req.get()`, argv. Query strings (`?id[$ne]=`),
 * JSON bodies and JSON cookies can carry objects.
 */
const fromStringSource = (taint: FlowStep[]) =>
  /^((req|request|ctx|ctx\.request)\.(params|headers)\b|(req|request)\.(get|header)\(|process\.argv\b)/.test(
    taint[0]?.note ?? '',
  )

/** A value in a Mongo-style filter that could be an operator object (`{ $ne: null }`) from a JSON body. */
function operatorInjection(call: SgNode, taintOf: TaintOf, scope: SgNode): FlowStep[] | undefined {
  const args = argumentsOf(call)
  let filter = args[0]
  if (filter?.kind() !== 'object') return undefined
  // A Mongo update takes a filter and then the changes; `record.update({ name })` alone (a Sequelize
  // instance, a Mongoose document) takes only the new values, where an object is stored, not obeyed.
  const ormOptions = filter.children().some((pair) => pair.kind() === 'pair' && keyOf(pair) === 'where')
  if (/(update\w*|replaceOne)$/i.test(calleeName(call) ?? '') && args.length < 2 && !ormOptions) return undefined
  if (ormOptions) {
    const inner = ormFilter(call, filter, taintOf)
    if (!inner || Array.isArray(inner)) return inner
    filter = inner
  }
  for (const pair of filter.children()) {
    const key = keyOf(pair)
    const value =
      pair.kind() === 'pair' ? pair.field('value') : pair.kind() === 'shorthand_property_identifier' ? pair : null
    if (!value) continue
    const taint = taintOf(value)
    if (!taint) continue
    if (key === '$where') return taint
    if (/^String\(|\.toString\(\)$/.test(value.text()) || typeChecked(scope, value.text())) continue
    if (producesString(value) || fromStringSource(taint)) continue
    return taint
  }
  return undefined
}

export const javascriptSinks: Sink[] = [
  {
    id: 'js-sql-injection',
    title: 'SQL query built from request input',
    severity: 'critical',
    cwe: ['CWE-89'],
    fix: 'Pass input as bound parameters (`?` placeholders with `replacements`/`bind`, or the driver values array); never build SQL text from it.',
    callee:
      /(^|\.)(query|raw|\$queryRawUnsafe|\$executeRawUnsafe)$|^(db|sequelize|knex|pool|client|connection|conn)\.(exec|execute|run|all|get)$/,
    taintedBy: firstArgument,
  },
  {
    id: 'js-nosql-injection',
    title: 'NoSQL filter takes request input as an object',
    severity: 'high',
    cwe: ['CWE-943'],
    fix: 'Check that each filter value is a string (`typeof v === "string"`) or cast it (`String(v)`), and never pass input to `$where`.',
    callee:
      /\.(find|findOne|findOneAndUpdate|findOneAndDelete|findOneAndRemove|update|updateOne|updateMany|deleteOne|deleteMany|remove|count|countDocuments|replaceOne|findFirst|findFirstOrThrow|findUnique|findUniqueOrThrow|findMany|delete)$/,
    taintedBy: operatorInjection,
  },
  {
    id: 'js-open-redirect',
    title: 'Redirect to a URL from request input',
    severity: 'medium',
    cwe: ['CWE-601'],
    fix: 'Redirect only to relative paths or to URLs compared exactly against an allow-list.',
    callee: /^(res|response|ctx|reply)\.redirect$/,
    taintedBy: (call, taintOf) => {
      const target = argumentsOf(call).at(-1)
      if (!target || checkedByCondition(call, target)) return undefined
      return taintOf(target)
    },
  },
  {
    id: 'js-command-injection',
    title: 'Shell command built from request input',
    severity: 'critical',
    cwe: ['CWE-78'],
    fix: 'Call execFile/spawn with a fixed program and an argument array (no shell), and validate every argument against an allow-list.',
    callee: /^((child_process|childProcess|cp)\.)?(exec|execSync)$/,
    taintedBy: firstArgument,
  },
  {
    id: 'js-code-injection',
    title: 'Request input evaluated as code',
    severity: 'critical',
    cwe: ['CWE-94'],
    fix: 'Never evaluate input: parse it as data (JSON.parse) or map it to a fixed set of operations.',
    callee:
      /^(eval|Function|setTimeout|setInterval|vm\.(runInNewContext|runInThisContext|runInContext|compileFunction)|vm\.Script|safeEval|notevil)$/,
    taintedBy: firstArgument,
  },
  {
    id: 'js-path-traversal',
    title: 'File path from request input',
    severity: 'high',
    cwe: ['CWE-22'],
    fix: 'Reduce the name with path.basename and check it against an allow-list, or resolve it under a fixed root and verify the result stays inside.',
    callee:
      /^(fs|fsPromises|fse|fs\.promises)\.(readFile|readFileSync|writeFile|writeFileSync|appendFile|appendFileSync|createReadStream|createWriteStream|unlink|unlinkSync|readdir|readdirSync|rm|rmSync|open|openSync)$|^(res|response)\.(sendFile|download)$/,
    taintedBy: (call, taintOf) => {
      const [file, options] = argumentsOf(call)
      if (!file || checkedByCondition(call, file)) return undefined
      if (options?.kind() === 'object' && /\broot\s*:/.test(options.text())) return undefined
      return taintOf(file)
    },
  },
  {
    id: 'js-ssrf',
    title: 'Outgoing request to a URL from request input',
    severity: 'high',
    cwe: ['CWE-918'],
    fix: 'Build the URL from a fixed origin and an encoded path, or check its host against an allow-list after parsing.',
    callee:
      /^(fetch|axios|axios\.(get|post|put|patch|delete|head|request)|request|request\.(get|post|put)|got|got\.(get|post)|needle|superagent\.(get|post)|https?\.(get|request)|undici\.(request|fetch))$/,
    taintedBy: (call, taintOf) => {
      const [target] = argumentsOf(call)
      if (!target || checkedByCondition(call, target)) return undefined
      if (target.kind() === 'object') {
        const url = target
          .children()
          .find((pair) => /^['"]?(url|uri|host|hostname)['"]?$/.test(pair.field('key')?.text() ?? ''))
        return url?.field('value') ? taintOf(url.field('value') as SgNode) : undefined
      }
      return taintOf(target)
    },
  },
  {
    id: 'js-xss',
    title: 'Request input written into an HTML response',
    severity: 'medium',
    cwe: ['CWE-79'],
    fix: 'Escape the value for HTML (or render it through a template engine that escapes), or send it as JSON.',
    callee: /^(res|response)\.(send|write|end)$/,
    taintedBy: firstArgument,
  },
  {
    id: 'js-log-injection',
    title: 'Request input written to a log unescaped',
    severity: 'low',
    cwe: ['CWE-117'],
    fix: 'Strip CR/LF from the value (or log it as a structured field that the logger escapes).',
    callee: /^(console\.(log|info|warn|error|debug)|(logger|log|winston)\.(info|warn|error|debug|log))$/,
    taintedBy: (call, taintOf) => {
      for (const arg of argumentsOf(call)) {
        if (arg.kind() === 'object') continue
        const taint = taintOf(arg)
        if (taint) return taint
      }
      return undefined
    },
  },
]

/** The callee's text when it is a plain name or dotted path (`res.redirect`); never a whole IIFE's text. */
export function calleeName(call: SgNode): string | undefined {
  const callee = call.field('function') ?? call.field('constructor')
  if (!callee) return undefined
  const { start, end } = callee.range()
  if (end.index - start.index > 120) return undefined
  const kind = callee.kind()
  return kind === 'identifier' || kind === 'member_expression' ? callee.text() : undefined
}

/** Last segments every sink callee ends with: a cheap test before the sinks' own patterns. */
const sinkEnding =
  /(^|\.)(query|raw|\$queryRawUnsafe|\$executeRawUnsafe|exec|execute|run|all|get|find\w*|update\w*|delete\w*|remove|count\w*|replaceOne|redirect|execSync|eval|Function|setTimeout|setInterval|run\w+Context|compileFunction|Script|safeEval|notevil|\w*[fF]ile\w*|append\w*|create\w+Stream|unlink\w*|readdir\w*|rm\w*|open\w*|download|fetch|axios|post|put|patch|head|request|got|needle|send|write|end|log|info|warn|error|debug)$/

export function sinkOf(call: SgNode): Sink | undefined {
  const name = calleeName(call)
  if (!name || !sinkEnding.test(name)) return undefined
  return javascriptSinks.find((sink) => sink.callee.test(name))
}
