import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Lang, parse } from '@ast-grep/napi'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ScanSource, severities } from '../../shared/scanning/engine.js'
import { javascriptSinks } from '../../shared/scanning/engines/code/flow/javascript-sinks.js'
import { codeEngine, codeLanguages, registerLanguages, scanCode } from '../../shared/scanning/engines/code/index.js'
import { prefilterOf } from '../../shared/scanning/engines/code/prefilter.js'
import { type CorpusCase, type StagedCorpus, scanCorpus } from '../fixtures/code/corpus.js'

let corpus: StagedCorpus

beforeAll(async () => {
  corpus = await scanCorpus()
})

const findingsAt = (path: string) =>
  corpus.findings
    .filter((finding) => finding.locations[0]!.path === path)
    .map((finding) => ({ line: finding.locations[0]!.start_line, rule: finding.rule_id }))
    .sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule))

const made: string[] = []
afterAll(() => {
  for (const dir of [...made, corpus.source.root]) rmSync(dir, { recursive: true, force: true })
})

/** A folder with the given files, as a ScanSource. */
function sourceOf(files: Record<string, string>, overrides: Partial<ScanSource> = {}): ScanSource {
  const root = mkdtempSync(join(tmpdir(), 'vega-code-'))
  made.push(root)
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  return {
    root,
    files: Object.entries(files)
      .map(([path, text]) => ({ path, size: Buffer.byteLength(text) }))
      .sort((a, b) => a.path.localeCompare(b.path)),
    history: { commits: [], blobs: new Map() },
    readBlob: () => Buffer.alloc(0),
    deadline: Date.now() + 60_000,
    ...overrides,
  }
}

describe('code engine fixtures', () => {
  // The cases are known before the scan: they are read from the fixture folders, not from the findings.
  const staged = (kind: CorpusCase['kind']) => (c: CorpusCase) => c.kind === kind

  it('has a positive and a negative fixture for every rule in every language that runs it', async () => {
    const { cases } = corpus
    for (const language of codeLanguages) {
      const inLanguage = cases.filter((c) => c.language === language.name)
      for (const rule of language.rules) {
        const positives = inLanguage.filter(
          (c) => c.kind === 'positive' && c.expected.some((expected) => expected.rule === rule.id),
        )
        const negatives = inLanguage.filter((c) => c.kind === 'negative' && c.path.includes(`/${rule.id}.`))
        expect(positives.length, `${rule.id} positive in ${language.name}`).toBeGreaterThan(0)
        expect(negatives.length, `${rule.id} negative in ${language.name}`).toBeGreaterThan(0)
      }
    }
  })

  it('finds exactly the marked rule at the marked lines in every positive fixture', () => {
    const positives = corpus.cases.filter(staged('positive'))
    expect(positives.length).toBeGreaterThan(40)
    for (const c of positives) {
      const expected = [...c.expected].sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule))
      expect(expected.length, `${c.fixture} marks no line`).toBeGreaterThan(0)
      expect(findingsAt(c.path), `${c.fixture} as ${c.language}`).toEqual(expected)
    }
  })

  it('finds nothing in any negative fixture', () => {
    const negatives = corpus.cases.filter(staged('negative'))
    expect(negatives.length).toBeGreaterThan(40)
    for (const c of negatives) {
      expect(c.expected, `${c.fixture} marks a line`).toEqual([])
      expect(findingsAt(c.path), `${c.fixture} as ${c.language}`).toEqual([])
    }
  })

  it('reports every node a rule matches on its own: the prefilter before node.matches never drops a hit', () => {
    registerLanguages()
    let checked = 0
    for (const c of corpus.cases) {
      const language = codeLanguages.find((candidate) => candidate.name === c.language)!
      const root = parse(language.lang, readFileSync(join(corpus.source.root, c.path), 'utf8')).root()
      for (const rule of language.rules) {
        const reported = new Set(
          corpus.findings
            .filter((finding) => finding.locations[0]!.path === c.path && finding.rule_id === rule.id)
            .map((finding) => finding.locations[0]!.start_line),
        )
        for (const node of root.findAll({ rule: rule.rule })) {
          checked++
          expect(
            reported.has(node.range().start.line + 1),
            `${rule.id} at ${c.path}:${node.range().start.line + 1}`,
          ).toBe(true)
        }
      }
    }
    expect(checked).toBeGreaterThan(100)
  })

  it('fires every rule, every JS sink and every rule docs/findings.md names on a positive fixture', () => {
    const docs = readFileSync(join(import.meta.dirname, '../../docs/findings.md'), 'utf8')
    const named = [...docs.matchAll(/`((?:js|py|go|java)-[a-z0-9-]+)`/g)].map((match) => match[1]!)
    const ids = new Set([
      ...codeLanguages.flatMap((language) => language.rules.map((rule) => rule.id)),
      ...javascriptSinks.map((sink) => sink.id),
      ...named,
    ])
    const fired = new Set(
      corpus.findings
        .filter((finding) => corpus.cases.some((c) => c.kind === 'positive' && c.path === finding.locations[0]!.path))
        .map((finding) => finding.rule_id),
    )

    expect(named.length).toBeGreaterThan(10)
    expect([...ids].filter((id) => !fired.has(id))).toEqual([])
  })

  it('runs the JavaScript rules on TypeScript and TSX too', () => {
    const languages = new Set(corpus.findings.map((finding) => finding.metadata.language))

    expect([...languages].sort()).toEqual(['go', 'java', 'javascript', 'python', 'tsx', 'typescript'])
  })
})

describe('code findings', () => {
  it('carry the rule, a relative path, 1-based lines, a trimmed snippet and a whitespace-collapsed identity', async () => {
    const source = sourceOf({
      'src/app/run.js':
        "const cp = require('child_process')\n\nfunction run(req) {\n  cp.exec(\n    'ls ' +   req.query.dir,\n  )\n}\n",
    })

    const [finding, ...rest] = await codeEngine.run(source)

    expect(rest).toEqual([])
    expect(finding).toMatchObject({
      engine: 'code',
      rule_id: 'js-command-injection',
      severity: 'critical',
      cwe: ['CWE-78'],
      identity: "cp.exec( 'ls ' + req.query.dir, )",
      locations: [
        { path: 'src/app/run.js', start_line: 4, end_line: 6, snippet: "cp.exec(\n'ls ' +   req.query.dir,\n)" },
      ],
      metadata: { language: 'javascript' },
    })
    expect(finding!.title.length).toBeGreaterThan(0)
    expect(finding!.fix.length).toBeGreaterThan(0)
    expect(finding!.message).toContain(finding!.title)
  })

  it('keeps snippets to 200 characters', async () => {
    const long = `'${'x'.repeat(300)}'`
    const source = sourceOf({ 'a.py': `import os, sys\nos.system(sys.argv[1] + ${long})\n` })

    const [finding] = await codeEngine.run(source)

    expect(finding!.rule_id).toBe('py-taint-cmdi')
    expect(finding!.locations[0]!.snippet).toHaveLength(200)
  })

  it('reports one finding per rule a node matches, and nested matches separately', async () => {
    const source = sourceOf({ 'a.js': 'eval(eval(code))\n' })

    const findings = await codeEngine.run(source)

    expect(findings.map((finding) => finding.identity).sort()).toEqual(['eval(code)', 'eval(eval(code))'])
  })

  it('gives every rule a known severity, CWE ids, a title and a fix, and unique ids', () => {
    const rules = codeLanguages.flatMap((language) => language.rules)
    const ids = new Set(rules.map((rule) => rule.id))

    for (const rule of rules) {
      expect(severities).toContain(rule.severity)
      expect(rule.cwe.length).toBeGreaterThan(0)
      for (const cwe of rule.cwe) expect(cwe).toMatch(/^CWE-\d+$/)
      expect(rule.title.length).toBeGreaterThan(0)
      expect(rule.fix.length).toBeGreaterThan(20)
      expect(rule.id).toMatch(/^(js|py|go|java)-[a-z-]+$/)
    }
    for (const language of codeLanguages) {
      expect(new Set(language.rules.map((rule) => rule.id)).size, language.name).toBe(language.rules.length)
    }
    expect(ids.size).toBeGreaterThanOrEqual(40)
  })
})

describe('code rule prefilter', () => {
  const first = (code: string, kind: string) => parse(Lang.JavaScript, code).root().find({ rule: { kind } })!

  it('rules out a node by its kind, its text or a field, and answers maybe where the regex dialects differ', () => {
    const call = first('foo(x)', 'call_expression')
    const accented = first('const café = 1', 'identifier')

    expect(prefilterOf({ kind: 'call_expression', has: { field: 'function', regex: '^eval$' } })(call)).toBe(false)
    expect(prefilterOf({ kind: 'call_expression', has: { field: 'function', regex: '^foo$' } })(call)).toBe(true)
    expect(prefilterOf({ any: [{ kind: 'new_expression' }, { kind: 'string' }] })(call)).toBe(false)
    expect(prefilterOf({ kind: 'identifier', regex: '^\\w+$' })(accented)).toBe(true)
    expect(prefilterOf({ kind: 'identifier', regex: '(?i)^CAFÉ$' })(accented)).toBe(true)
    expect(prefilterOf({ regex: '(?x) f o o' })(call)).toBe(true)
    expect(prefilterOf({ pattern: 'eval($X)' })(call)).toBe(true)
  })
})

describe('code engine file selection', () => {
  const vulnerable = 'eval(input)\n'

  it('scans the listed files even where a .gitignore would hide them', async () => {
    const source = sourceOf({ '.gitignore': 'build/\n', 'build/gen.js': vulnerable })

    const findings = await codeEngine.run(source)

    expect(findings.map((finding) => finding.locations[0]!.path)).toEqual(['build/gen.js'])
  })

  it('reads only the listed files, each by its own language whatever else the folder holds', async () => {
    const source = sourceOf({ 'listed.ts': vulnerable, 'unlisted.js': vulnerable, 'notes.txt': vulnerable })
    source.files = source.files.filter((file) => file.path === 'listed.ts' || file.path === 'notes.txt')

    const findings = await codeEngine.run(source)

    expect(findings.map((finding) => [finding.locations[0]!.path, finding.metadata.language])).toEqual([
      ['listed.ts', 'typescript'],
    ])
  })

  it('skips declaration files, minified files and files over the size cap', async () => {
    const minified = `eval(input);${'var a=1;'.repeat(4000)}\n`
    const source = sourceOf({
      'types.d.ts': vulnerable,
      'bundle.min.js': vulnerable,
      'bundle.js': minified,
      'big.js': vulnerable + '// padding\n'.repeat(200),
      'small.js': vulnerable,
    })

    const findings = await scanCode(source, { maxFileBytes: 1000, batchSize: 500 })

    expect(findings.map((finding) => finding.locations[0]!.path)).toEqual(['small.js'])
  })

  it('skips a small minified file, judged by a long line in its head', async () => {
    const minified = `!function(){eval(input);${'var a=1;'.repeat(200)}}();\n`
    const source = sourceOf({ 'public/app.js': minified, 'src/app.js': vulnerable })

    const findings = await codeEngine.run(source)

    expect(minified.length).toBeLessThan(16 * 1024)
    expect(findings.map((finding) => finding.locations[0]!.path)).toEqual(['src/app.js'])
  })

  it('tags library copies vendored, one severity lower: banners and library folders under a web root', async () => {
    const source = sourceOf({
      'public/js/jquery.js': `/*! jQuery v3.7.1 | (c) OpenJS Foundation and other contributors | jquery.org/license */\n${vulnerable}`,
      'static/lodash.js': `/**\n * @license\n * Lodash <https://lodash.com/>\n * Released under MIT license\n */\n${vulnerable}`,
      'public/lib/chart/chart.js': vulnerable,
      'wwwroot/lib/bootstrap/dist/js/bootstrap.js': vulnerable,
      'static/vendor/select2.js': vulnerable,
      'lib/insecurity.js': `/*\n * Copyright (c) 2014-2026 Bjoern Kimminich & the OWASP Juice Shop contributors.\n */\n${vulnerable}`,
      'src/app.js': `// licensed under MIT\n${vulnerable}`,
      'templates/js/util.js': `/*! Test suite helpers */\n${vulnerable}`,
      'dist/compiled.js': `${vulnerable}//# sourceMappingURL=data:application/json;base64,${'A'.repeat(2000)}\n`,
    })

    const findings = await codeEngine.run(source)

    const byPath = Object.fromEntries(
      findings.map((finding) => [finding.locations[0]!.path, [finding.context ?? 'product', finding.severity]]),
    )
    expect(byPath).toEqual({
      'public/js/jquery.js': ['vendored', 'high'],
      'static/lodash.js': ['vendored', 'high'],
      'public/lib/chart/chart.js': ['vendored', 'high'],
      'wwwroot/lib/bootstrap/dist/js/bootstrap.js': ['vendored', 'high'],
      'static/vendor/select2.js': ['vendored', 'high'],
      'lib/insecurity.js': ['product', 'critical'],
      'src/app.js': ['product', 'critical'],
      'templates/js/util.js': ['product', 'critical'],
      'dist/compiled.js': ['product', 'critical'],
    })
  })

  it('fails with time_budget once the deadline has passed', async () => {
    const source = sourceOf({ 'a.js': vulnerable }, { deadline: Date.now() - 1 })

    await expect(codeEngine.run(source)).rejects.toMatchObject({ code: 'time_budget' })
  })

  it('stops between batches once the scan is cancelled', async () => {
    let checks = 0
    const source = sourceOf(
      { 'a.js': vulnerable, 'b.js': vulnerable, 'c.js': vulnerable },
      { cancelled: () => ++checks > 1 },
    )

    const findings = await scanCode(source, { maxFileBytes: 1024 * 1024, batchSize: 1 })

    expect(findings.map((finding) => finding.locations[0]!.path)).toEqual(['a.js'])
  })
})
