// Authorization material and key formats: each rule on examples written here, positive and negative.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { scanSecrets } from '../../shared/scanning/engines/secrets/index.js'
import { matchSecrets } from '../../shared/scanning/engines/secrets/matcher.js'
import { folderSource } from '../support/folder-source.js'

const found = (text: string, path = 'src/client.ts') =>
  matchSecrets(`${text}\n`, path).matches.map((match) => match.rule.id)

describe('authorization headers', () => {
  it('finds a Bearer token with the shape of one, and not a word or a JWT (the JWT rule judges those)', () => {
    expect(found(`headers: { Authorization: 'Bearer vp7jxTwqgczoFHs0uIdOvv4VdBWmvCkb' }`)).toEqual(['bearer-token'])
    expect(found(`'Authorization: Bearer ' + token`)).toEqual([])
    expect(found(`token_type: "Bearer", scheme: "Bearer authentication"`)).toEqual([])
  })

  it('decodes Basic credentials and reports a user:password pair, not a stand-in', () => {
    const pair = Buffer.from('deploy:Xk29!mqPz').toString('base64')
    expect(found(`'Proxy-Authorization': 'Basic ${pair}'`)).toEqual(['basic-auth-header'])
    expect(found(`'Authorization': 'Basic ${Buffer.from('user:password').toString('base64')}'`)).toEqual([])
    expect(found(`'Authorization': 'Basic ${Buffer.from('no colon here').toString('base64')}'`)).toEqual([])
    // RFC 7617's own example, copied into READMEs.
    expect(found(`'Proxy-Authorization': 'Basic ${Buffer.from('aladdin:opensesame').toString('base64')}'`)).toEqual([])
  })
})

describe('keys', () => {
  it('finds the private members of a JSON Web Key, not its public ones', () => {
    const jwk = `const key = { kty: 'RSA', n: 'sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1Wl', e: 'AQAB', d: 'VFCWOqXr8nvZNyaaJLXdnNPXZKRaWCjkU5Q2egQQpTBMwhprMzWzpR8Sxq1' }`
    expect(found(jwk)).toEqual(['jwk-private-key'])
    expect(found(`const pub = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU' }`)).toEqual(
      [],
    )
  })

  it("finds Vercel's prefixed tokens", () => {
    expect(found('VERCEL_TOKEN=vcp_4kXq9LmNp2RsT7vWy1ZaB3cD5eF8gH0jK6', '.env')).toEqual(['vercel-token'])
  })
})

describe('provider formats', () => {
  it('finds Slack tokens in the older id-dash form, not stand-ins', () => {
    expect(found('SLACK=xoxb-48213957205-7730215942081-Qm3Zt8Vr', '.env')).toEqual(['slack-legacy-token'])
    expect(found('token=xoxp-55519283746-9128374650')).toEqual(['slack-legacy-token'])
    expect(found('token=xoxb-00000000000-0000000000')).toEqual([])
    expect(found('see xoxb-tokens in the docs')).toEqual([])
  })

  it('finds a Slack webhook by its structure, not an all-X example', () => {
    expect(found('url: https://hooks.slack.com/services/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')).toHaveLength(1)
    expect(found('url: https://hooks.slack.com/services/TXXXXXXXX/BXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX')).toEqual([])
  })

  it('finds GitHub App installation tokens in JWT form only when the JWT is signed', () => {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
    const jwt = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ iss: '90210', iat: 1745568000 })}.Qx8vLm2pZk9WcR4nYb7Ds1eVt8qHj3`
    expect(found(`GH_TOKEN=ghs_90210_${jwt}`)).toEqual(['github-app-installation-jwt'])
    const unsigned = `${part({ alg: 'none' })}.${part({ iss: '90210' })}.Qx8vLm2pZk9WcR4nYb7Ds1eVt8qHj3`
    expect(found(`GH_TOKEN=ghs_90210_${unsigned}`)).toEqual([])
  })

  it('finds Docker Hub access tokens, not documented examples', () => {
    expect(found('DOCKER_TOKEN=dckr_pat_q7Vm2LxZp9KwR4nYb8Ds1eTt3uH')).toEqual(['docker-access-token'])
    expect(found(`DOCKER_TOKEN=dckr_pat_${'x'.repeat(27)}`)).toEqual([])
  })

  it("reports a filled-in stand-in in a vendor's exact format as a low example, a masked one not at all", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vega-standin-'))
    const files = {
      'deploy.env': 'DOCKER_TOKEN=dckr_pat_Example1234567890AbCdEfGhjK\n',
      'billing.env': `STRIPE_KEY=sk_live_${'A'.repeat(24)}\nSTRIPE_OLD=sk_live_${'X'.repeat(24)}\n`,
    }
    for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text)
    const { findings } = await scanSecrets(
      folderSource(
        dir,
        Object.entries(files).map(([path, text]) => ({ path, size: text.length })),
      ),
    )
    rmSync(dir, { recursive: true, force: true })

    expect(
      findings.map((f) => [f.rule_id, f.severity, f.context, f.locations.map((l) => `${l.path}:${l.start_line}`)]),
    ).toEqual([
      ['stripe-secret-key', 'low', 'example', ['billing.env:1']],
      ['docker-access-token', 'low', 'example', ['deploy.env:1']],
    ])
  })
})
