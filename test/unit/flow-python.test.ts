// Python data flow on snippets written here: tainted, constant and sanitized variants of each sink family.

import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { EngineFinding } from '../../shared/scanning/engine.js'
import { codeEngine } from '../../shared/scanning/engines/code/index.js'
import { listFiles, prepareFolderSource } from '../../shared/scanning/source.js'
import { scratch } from '../support/eval-kit.js'

let counter = 0
async function taintOf(body: string): Promise<EngineFinding[]> {
  const root = join(scratch('flow-python'), `case-${process.pid}-${counter++}`)
  mkdirSync(root, { recursive: true })
  const code = `import os, subprocess, pickle, yaml, flask\nfrom flask import request, redirect\n\n@app.route('/x', methods=['POST'])\ndef handler():\n${body
    .trim()
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n')}\n`
  writeFileSync(join(root, 'app.py'), code)
  const findings = await codeEngine.run(prepareFolderSource(root, Number.POSITIVE_INFINITY, listFiles(root)))
  return findings.filter((finding) => finding.rule_id.startsWith('py-taint-'))
}
/** The taint rules that report the handler body, sorted. */
const taintRules = async (body: string) => (await taintOf(body)).map((finding) => finding.rule_id).sort()
/** Checks that no taint rule reports the handler body. */
async function expectNoTaint(body: string) {
  expect(await taintOf(body)).toEqual([])
}

describe('python taint', () => {
  it('follows input through assignments, f-strings and string building to a command, with the flow', async () => {
    const [finding, ...rest] = await taintOf(`
param = request.args.get('host')
bar = param
cmd = f"ping -c 1 {bar}"
subprocess.run(cmd, shell=True)
`)
    expect(rest).toEqual([])
    expect(finding).toMatchObject({ rule_id: 'py-taint-cmdi', cwe: ['CWE-78'], locations: [{ start_line: 9 }] })
    expect(finding!.flow!.map((flowStep) => flowStep.line)).toEqual([6, 6, 7, 8, 9])
  })

  it('drops what a branch that cannot run would assign, and what a slice cuts away', async () => {
    await expectNoTaint(`
param = request.args.get('q')
num = 86
bar = "safe" if (7 * 42) - num > 200 else param
eval(bar)
`)
    expect(
      await taintRules(`
param = request.args.get('q')
bar = "safe" if (7 * 42) - 300 > 200 else param
eval(bar)
`),
    ).toEqual(['py-taint-codeinj'])
    await expectNoTaint(`
param = request.cookies.get('c')
s = 'help' + param + 'snapes on a plane'
bar = s[0:4]
eval(bar)
`)
  })

  it('keeps list items and dict keys apart', async () => {
    const code = (index: string) => `
param = request.form.get('v')
lst = []
lst.append('safe')
lst.append(param)
lst.append('moresafe')
lst.pop(0)
bar = lst[${index}]
os.system(bar)
`
    expect(await taintRules(code('0'))).toEqual(['py-taint-cmdi'])
    await expectNoTaint(code('1'))
    const map = (key: string) => `
param = request.form.get('v')
m = {'a': 'safe', 'b': param}
bar = m['${key}']
redirect(bar)
`
    expect(await taintRules(map('b'))).toEqual(['py-taint-redirect'])
    await expectNoTaint(map('a'))
  })

  it('stops at sanitizers for their own family only', async () => {
    await expectNoTaint(`
import shlex
param = request.args.get('f')
os.system('cat ' + shlex.quote(param))
`)
    await expectNoTaint(`
param = request.args.get('f')
if '../' in param:
    return 'no'
open('/srv/files/' + param)
`)
    expect(
      await taintRules(`
import html
param = request.args.get('f')
open('/srv/files/' + html.escape(param))
`),
    ).toEqual(['py-taint-pathtraver'])
  })

  it('knows safe loaders, parameterised queries, JSON answers and argument lists', async () => {
    await expectNoTaint(`
param = request.get_data()
yaml.load(param, Loader=yaml.SafeLoader)
cursor.execute('SELECT * FROM t WHERE id = %s', (param,))
subprocess.run(['nslookup', param])
return flask.jsonify(value=param)
`)
    expect(
      await taintRules(`
param = request.get_data()
pickle.loads(param)
cursor.execute(f"SELECT * FROM t WHERE id = '{param}'")
subprocess.run(['sh', '-c', f'echo {param}'])
flask.session['user'] = param
return f'<p>{param}</p>'
`),
    ).toEqual(['py-taint-cmdi', 'py-taint-deserialization', 'py-taint-sqli', 'py-taint-trustbound', 'py-taint-xss'])
  })

  it('takes the one case of a match whose subject is known, and every case when it is not', async () => {
    const code = (subject: string) => `
param = request.form.get('v')
match ${subject}:
    case 'A':
        bar = param
    case 'B':
        bar = 'bob'
    case _:
        bar = 'other'
os.system(bar)
`
    expect(await taintRules(code("'ABC'[0]"))).toEqual(['py-taint-cmdi'])
    await expectNoTaint(code("'ABC'[1]"))
    expect(await taintRules(code('request.args.get("k")'))).toEqual(['py-taint-cmdi'])
  })

  it('trusts what a guard that returns has kept out: quotes for XPath and SQL, a host check for redirects', async () => {
    await expectNoTaint(`
param = request.args.get('id')
if "'" in param:
    return 'no quotes'
root.xpath(f"/Employees/Employee[@id='{param}']")
`)
    await expectNoTaint(`
import urllib.parse
target = request.args.get('next')
url = urllib.parse.urlparse(target)
if url.netloc not in ['example.com']:
    return 'refused'
return redirect(target)
`)
  })
})
