// Intra-procedural taint for JavaScript and TypeScript: request input (Express, Koa, Fastify, Next.js
// handlers, process.argv) followed through assignments, destructuring, string building and simple
// method chains to the sinks of javascript-sinks.ts, within the outermost function that holds it.
import type { Rule, SgNode, SgRoot } from '@ast-grep/napi'
import type { EngineFinding, FlowStep } from '../../../engine.js'
import { mayMatch } from '../prefilter.js'
import { javascriptRules } from '../rules/javascript.js'
import type { FlowAnalyzer } from './analyzer.js'
import { calleeName, type Sink, sinkOf } from './javascript-sinks.js'

const sourcePattern = '^(req|request|ctx\\.request|ctx)\\.(query|params|body|headers|cookies|files?)\\b'
const sourceText = new RegExp(sourcePattern)
const sourceCall = /^(req|request)\.(get|header|param)$/
const argvText = /^process\.argv\b/

/**
 * Request input or argv, matched on the property name first and the object's kind before its text: a
 * regex over every member expression's text costs quadratic time on long call chains (10x the scan).
 */
export const taintTrigger: Rule = {
  all: [
    { kind: 'property_identifier' },
    { regex: '^(query|params|body|headers|cookies|files?|argv)$' },
    {
      inside: {
        kind: 'member_expression',
        has: {
          field: 'object',
          any: [
            { all: [{ kind: 'identifier' }, { regex: '^(req|request|ctx|process)$' }] },
            { all: [{ kind: 'member_expression' }, { regex: '^ctx\\.request$' }] },
          ],
        },
      },
    },
  ],
}

/** Calls whose result no longer carries the input's meaning: numbers, escaped or reduced text. */
const sanitizer =
  /^(parseInt|parseFloat|Number|Boolean|Math\.\w+|encodeURIComponent|encodeURI|escape\w*|[\w.]*\.(escape\w*|basename|isValid\w*|normalizeEmail)|[\w.]*[sS]anitize\w*|DOMPurify\.\w+|xss|he\.(encode|escape)|validator\.\w+|mongoSanitize|crypto\.\w+|[\w.]*\.hash\w*|bcrypt\.\w+)$/

/** Functions that hand back their argument, reshaped but still under the caller's control. */
const passThrough =
  /^(String|decodeURIComponent|decodeURI|unescape|JSON\.parse|JSON\.stringify|Buffer\.from|path\.(join|resolve|normalize)|url\.(resolve|parse)|util\.format|Object\.assign|Array\.from|new URL)$/

const functionKinds = new Set([
  'function_declaration',
  'function_expression',
  'function',
  'arrow_function',
  'method_definition',
  'generator_function_declaration',
  'generator_function',
])

const wrapperKinds = new Set([
  'parenthesized_expression',
  'await_expression',
  'as_expression',
  'non_null_expression',
  'type_assertion',
  'satisfies_expression',
  'spread_element',
])

type Taint = FlowStep[]
type Env = Map<string, Taint>

export const javascriptTaint: FlowAnalyzer = {
  name: 'javascript-taint',
  languages: ['javascript', 'typescript', 'tsx'],
  // Matches a file once, at its root: a file with many reads of request input costs one match.
  trigger: { any: [{ kind: 'program' }], has: { stopBy: 'end', ...taintTrigger } },
  analyze(root: SgRoot, path: string): EngineFinding[] {
    const findings: EngineFinding[] = []
    const seen = new Set<number>()
    const lines = root.root().text().split('\n')
    for (const scope of scopesOf(root.root())) findings.push(...analyzeScope(scope, path, lines, seen))
    return findings
  },
}

/** The outermost functions holding a source (a handler factory's inner closures share its taint). */
function scopesOf(program: SgNode): SgNode[] {
  const scopes = new Map<number, SgNode>()
  for (const source of program.findAll({ rule: taintTrigger })) {
    let scope = program
    for (const ancestor of source.ancestors()) if (functionKinds.has(String(ancestor.kind()))) scope = ancestor
    scopes.set(scope.id(), scope)
  }
  return [...scopes.values()]
}

function analyzeScope(scope: SgNode, path: string, lines: string[], seen: Set<number>): EngineFinding[] {
  const step = (node: SgNode, note: string): FlowStep => {
    const line = node.range().start.line
    return { path, line: line + 1, snippet: (lines[line] ?? '').trim().slice(0, 200), note }
  }
  const env = propagate(scope, step)
  const findings: EngineFinding[] = []
  for (const call of scope.findAll({ rule: { any: [{ kind: 'call_expression' }, { kind: 'new_expression' }] } })) {
    if (seen.has(call.id())) continue
    const sink = sinkOf(call)
    if (!sink) continue
    const flow = sink.taintedBy(call, (node) => taintOf(node, env, step), scope)
    if (!flow || patternRuleFinds(call)) continue
    seen.add(call.id())
    findings.push(findingOf(sink, call, [...flow, step(call, `${shorten(call.text())} (sink)`)], path, lines))
  }
  return findings
}

/** Two passes over the scope's assignments in source order, so a loop's later assignment reaches back. */
function propagate(scope: SgNode, step: (node: SgNode, note: string) => FlowStep): Env {
  const env: Env = new Map()
  const bindings = scope.findAll({
    rule: {
      any: [
        { kind: 'variable_declarator' },
        { kind: 'assignment_expression' },
        { kind: 'augmented_assignment_expression' },
      ],
    },
  })
  for (let pass = 0; pass < 2; pass++) {
    for (const binding of bindings) {
      const target = binding.field('name') ?? binding.field('left')
      const value = binding.field('value') ?? binding.field('right')
      if (!target || !value) continue
      const taint = taintOf(value, env, step)
      if (!taint) continue
      const flow = [...taint, step(binding, shorten(binding.text()))]
      for (const name of boundNames(target)) if (!env.has(name)) env.set(name, flow)
    }
  }
  return env
}

/** `x`, `obj.x` (the whole object counts as tainted), and every name a destructuring pattern binds. */
function boundNames(target: SgNode): string[] {
  const kind = target.kind()
  if (kind === 'identifier') return [target.text()]
  if (kind === 'member_expression' || kind === 'subscript_expression') return [target.text()]
  return target
    .findAll({ rule: { any: [{ kind: 'shorthand_property_identifier_pattern' }, { kind: 'identifier' }] } })
    .filter((node) => node.parent()?.kind() !== 'pair_pattern' || node.parent()?.field('value')?.id() === node.id())
    .map((node) => node.text())
}

/** The flow that makes this expression carry request input, or undefined when it carries none. */
export function taintOf(node: SgNode, env: Env, step: (node: SgNode, note: string) => FlowStep): Taint | undefined {
  const kind = String(node.kind())
  // Long expressions (call chains, function bodies) are never a name or a source: skip their text.
  const { start, end } = node.range()
  const text = end.index - start.index > 120 ? '' : node.text()
  if (kind === 'member_expression' && (sourceText.test(text) || argvText.test(text)))
    return [step(node, `${shorten(text)} (source)`)]
  const recurse = (child: SgNode | null | undefined) => (child ? taintOf(child, env, step) : undefined)
  const firstOf = (children: SgNode[]) => {
    for (const child of children) {
      const taint = recurse(child)
      if (taint) return taint
    }
    return undefined
  }
  switch (kind) {
    case 'identifier':
    case 'shorthand_property_identifier':
      return env.get(text)
    case 'member_expression':
    case 'subscript_expression':
      return (text ? env.get(text) : undefined) ?? recurse(node.field('object'))
    case 'call_expression':
      return taintOfCall(node, env, step)
    case 'template_string':
      return firstOf(node.children().filter((child) => child.kind() === 'template_substitution'))
    case 'template_substitution':
      return firstOf(node.children())
    case 'binary_expression': {
      const operator = node.field('operator')?.text()
      if (operator !== '+' && operator !== '||' && operator !== '??') return undefined
      return recurse(node.field('left')) ?? recurse(node.field('right'))
    }
    case 'ternary_expression':
      return recurse(node.field('consequence')) ?? recurse(node.field('alternative'))
    case 'object':
      return firstOf(
        node.children().map((child) => (child.kind() === 'pair' ? child.field('value') : child)) as SgNode[],
      )
    case 'array':
      return firstOf(node.children())
    default:
      if (wrapperKinds.has(kind)) return firstOf(node.children())
      return undefined
  }
}

function taintOfCall(node: SgNode, env: Env, step: (node: SgNode, note: string) => FlowStep): Taint | undefined {
  const callee = node.field('function')
  if (!callee) return undefined
  const name = calleeName(node) ?? ''
  if (sanitizer.test(name)) return undefined
  if (sourceCall.test(name)) return [step(node, `${shorten(node.text())} (source)`)]
  const args = node.field('arguments')?.children() ?? []
  if (passThrough.test(name)) {
    for (const arg of args) {
      const taint = taintOf(arg, env, step)
      if (taint) return taint
    }
    return undefined
  }
  // A method on tainted text (`.trim()`, `.toString()`, `.split(',')`) keeps it tainted.
  const receiver = callee.kind() === 'member_expression' ? callee.field('object') : null
  return receiver ? taintOf(receiver, env, step) : undefined
}

/** A sink a pattern rule already reports stays with that rule (one finding per place). */
function patternRuleFinds(call: SgNode): boolean {
  return javascriptRules.some((rule) => !rule.only && mayMatch(rule.rule, call) && call.matches({ rule: rule.rule }))
}

function findingOf(sink: Sink, call: SgNode, flow: FlowStep[], path: string, lines: string[]): EngineFinding {
  const { start, end } = call.range()
  const identity = call.text().replace(/\s+/g, ' ').trim()
  const snippet = lines
    .slice(start.line, end.line + 1)
    .map((line) => line.trim())
    .join('\n')
    .slice(0, 200)
  return {
    engine: 'code',
    rule_id: sink.id,
    severity: sink.severity,
    title: sink.title,
    message: `${sink.title}: \`${shorten(identity)}\` receives ${flow[0]?.note ?? 'request input'} (line ${flow[0]?.line})`,
    cwe: sink.cwe,
    fix: sink.fix,
    identity,
    locations: [{ path, start_line: start.line + 1, end_line: end.line + 1, snippet }],
    flow,
    metadata: { language: languageOf(path), analyzer: 'javascript-taint' },
  }
}

const shorten = (text: string) => {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat
}

const languageOf = (path: string) =>
  /\.tsx$/.test(path) ? 'tsx' : /\.[cm]?ts$/.test(path) ? 'typescript' : 'javascript'
