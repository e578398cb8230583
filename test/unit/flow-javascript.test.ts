import { Lang, parse } from '@ast-grep/napi'
import { describe, expect, it } from 'vitest'
import type { FlowAnalyzer } from '../../shared/scanning/engines/code/flow/analyzer.js'
import { javascriptAnalyzers } from '../../shared/scanning/engines/code/flow/javascript.js'

const [javascriptTaint] = javascriptAnalyzers as [FlowAnalyzer]

const analyze = (code: string) => javascriptTaint.analyze(parse(Lang.TypeScript, code), 'app.ts')
const found = (code: string) =>
  analyze(code).map((f) => ({ rule: f.rule_id, cwe: f.cwe, line: f.locations[0]?.start_line }))

describe('javascript taint', () => {
  it('follows request input through destructuring, concatenation and a method chain to SQL', () => {
    const findings = analyze(`app.get('/s', (req, res) => {
  const { q } = req.query
  const term = q.trim()
  const sql = 'SELECT * FROM t WHERE name = ' + term
  db.query(sql)
})`)
    expect(findings.map((f) => f.rule_id)).toEqual(['js-sql-injection'])
    expect(findings[0]?.cwe).toEqual(['CWE-89'])
    expect(findings[0]?.flow?.map((s) => s.line)).toEqual([2, 2, 3, 4, 5])
    expect(findings[0]?.flow?.[0]?.note).toContain('(source)')
  })

  it('leaves constants, numbers and bound parameters alone', () => {
    expect(
      found(`app.get('/s', (req, res) => {
  const id = parseInt(req.params.id)
  db.query('SELECT * FROM t WHERE id = ' + id)
  db.query('SELECT * FROM t WHERE name = ?', { replacements: [req.query.name] })
  db.query('SELECT 1')
})`),
    ).toEqual([])
  })

  it('reports NoSQL operator injection unless the value is checked to be a string', () => {
    const vulnerable = `module.exports = function update () {
  return (req, res) => {
    db.reviews.update({ _id: req.body.id }, { $set: { message: req.body.message } })
  }
}`
    expect(found(vulnerable)).toEqual([{ rule: 'js-nosql-injection', cwe: ['CWE-943'], line: 3 }])
    const guarded = vulnerable.replace(
      'return (req, res) => {',
      "return (req, res) => {\n    if (typeof req.body.id !== 'string') return",
    )
    expect(found(guarded)).toEqual([])
  })

  it('reports redirects, files, outgoing requests and logs from input, leaving pattern-rule sinks to the rules', () => {
    // eval, fs.readFile and res.send of request text are the pattern rules' (one finding per place).
    const findings = found(`router.post('/x', async (req, res) => {
  const target = req.query.to
  res.redirect(target)
  exec(\`ls \${req.body.dir}\`)
  eval(req.body.code)
  fs.readFile(req.params.file, cb)
  const url = req.body.url
  await fetch(url)
  const page = '<p>' + req.query.name + '</p>'
  res.write(page)
  console.log('user ' + req.body.user)
})`)
    expect(findings.map((f) => [f.rule, f.cwe[0], f.line])).toEqual([
      ['js-open-redirect', 'CWE-601', 3],
      ['js-command-injection', 'CWE-78', 4],
      ['js-ssrf', 'CWE-918', 8],
      ['js-xss', 'CWE-79', 10],
      ['js-log-injection', 'CWE-117', 11],
    ])
  })

  it('reports a command built from destructured input, leaving res.sendFile to its pattern rule', () => {
    const findings = found(`app.post('/run', (req, res) => {
  const { cmd } = req.body
  cp.exec(cmd)
  res.sendFile(req.query.name.trim())
})`)
    expect(findings.map((f) => [f.rule, f.cwe[0], f.line])).toEqual([['js-command-injection', 'CWE-78', 3]])
  })

  it('treats allow-list checks, basename, encoding and JSON responses as safe', () => {
    expect(
      found(`app.get('/x', (req, res) => {
  const to = req.query.to
  if (allowed.has(to)) res.redirect(to)
  res.sendFile(path.basename(req.params.file), { root: 'public' })
  fetch('https://api.example.com/u/' + encodeURIComponent(req.query.id))
  res.send({ name: req.query.name })
  res.send(escapeHtml(req.query.name))
})`),
    ).toEqual([])
  })
  it('follows the shapes real handlers use: $where from a route param, Koa ctx, Fastify reply, process.argv', () => {
    // juice-shop's routes/showProductReviews.ts, a Koa handler, a Fastify route and a CLI script.
    const findings = found(`export function showProductReviews () {
  return (req: Request, res: Response, next: NextFunction) => {
    const id = !utils.isChallengeEnabled(challenges.noSqlCommandChallenge) ? Number(req.params.id) : req.params.id
    db.reviewsCollection.find({ $where: 'this.product == ' + id }).then((reviews: Review[]) => res.json(reviews))
  }
}
router.get('/go', async (ctx) => {
  ctx.redirect(ctx.query.next)
})
fastify.get('/out', async (request, reply) => {
  return reply.redirect(request.query.url)
})
function main () {
  const target = process.argv[2]
  execSync('git clone ' + target)
}`)
    expect(findings.map((f) => [f.rule, f.cwe[0], f.line])).toEqual([
      ['js-nosql-injection', 'CWE-943', 4],
      ['js-open-redirect', 'CWE-601', 8],
      ['js-open-redirect', 'CWE-601', 11],
      ['js-command-injection', 'CWE-78', 15],
    ])
  })
  it('treats an earlier guard that exits as a check, but not a presence or type test, nor one on other values', () => {
    const findings = found(`app.get('/r', (req, res) => {
  const to = req.query.to
  if (!isRedirectAllowed(to)) { return res.status(400).send('no') }
  res.redirect(to)
})
app.get('/f', (req, res) => {
  const file = req.params.file
  if (file.includes('..') || file.includes('/')) return res.status(403).end()
  fs.readFile('/srv/' + file, cb)
})
app.get('/g', async (req, res) => {
  const url = req.query.url
  if (!allowedHosts.has(new URL(url).host)) throw new Error('host not allowed')
  await fetch(url)
})
app.get('/unchecked', async (req, res) => {
  const url = req.query.url
  const to = req.query.to
  if (!url || typeof to !== 'string') return res.status(400).end()
  if (!isAuthorized(req)) return res.status(401).end()
  await fetch(url)
  res.redirect(to)
})`)

    expect(findings.map((f) => [f.rule, f.line])).toEqual([
      ['js-ssrf', 21],
      ['js-open-redirect', 22],
    ])
  })
  it('reports operator injection only where input can be an object and the ORM reads objects as operators', () => {
    const findings = found(`app.post('/u', async (req, res) => {
  const user = await UserModel.findOne({ where: { email: req.body.email, deletedAt: null } })
  const count = await User.count({ where: req.query })
  const doc = await users.findOne({ email: req.body.email })
  const post = await prisma.post.findFirst({ where: { title: req.body.title } })
  await prisma.post.delete({ where: { id: req.params.id } })
  const id = req.params.id
  await posts.deleteOne({ _id: id })
  await posts.find({ tag: 'x-' + req.body.tag })
  await posts.find({ $where: 'this.x == ' + req.params.id })
  await posts.find({ owner: req.query.owner })
  await user.update({ username: req.body.username })
  await prisma.user.update({ where: { email: req.body.email }, data: { name: 'x' } })
})`)

    // Sequelize and TypeORM bind a column's value; route params are strings; '+' builds a string; a record's
    // update() takes values, not a filter.
    expect(findings.map((f) => [f.rule, f.line])).toEqual([
      ['js-nosql-injection', 3],
      ['js-nosql-injection', 4],
      ['js-nosql-injection', 5],
      ['js-nosql-injection', 10],
      ['js-nosql-injection', 11],
      ['js-nosql-injection', 13],
    ])
  })
})
