import { spawnSync } from 'node:child_process'
import { describe, expect, inject, it } from 'vitest'
import { handler as auth } from '../../functions/auth/handler.js'
import { call } from '../support/identity.js'

function admin(args: string[], input?: string) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', ...args], {
    input,
    encoding: 'utf8',
    env: {
      ...process.env,
      TABLE_NAME: inject('resources').tableName,
      AWS_ENDPOINT_URL_DYNAMODB: inject('endpoints').dynamodb,
    },
  })
  return { code: result.status, out: result.stdout, err: result.stderr }
}

describe('npm run admin -- create-user', () => {
  it('creates an owner and prints a one-time setup token that sets the password', async () => {
    const email = `first-${Date.now()}@example.com`

    const run = admin(['create-user', '--email', email, '--name', 'First', '--workspace', 'Acme'])
    const token = run.out.match(/vgs_[\w-]+/)?.[0]
    const set = await call(auth, 'POST', '/v1/auth/password', {
      body: { setup_token: token, new_password: 'the-first-password' },
    })
    const signedIn = await call(auth, 'POST', '/v1/auth/login', { body: { email, password: 'the-first-password' } })
    const me = await call(auth, 'GET', '/v1/auth/me', { as: signedIn.json.access_token })

    expect(run.code).toBe(0)
    expect(set.status).toBe(204)
    expect(me.json.memberships[0].role).toBe('owner')
  })

  it('takes the password on stdin instead, and refuses to create the same email twice', async () => {
    const email = `stdin-${Date.now()}@example.com`

    const first = admin(['create-user', '--email', email, '--password-stdin'], 'a-password-from-stdin\n')
    const second = admin(['create-user', '--email', email, '--password-stdin'], 'another-password-here\n')
    const signedIn = await call(auth, 'POST', '/v1/auth/login', { body: { email, password: 'a-password-from-stdin' } })

    expect(first.code).toBe(0)
    expect(first.out).not.toContain('vgs_')
    expect(second.code).toBe(1)
    expect(signedIn.status).toBe(200)
  })

  it('prints its usage and exits 2 without an email', () => {
    const run = admin(['create-user'])

    expect(run.code).toBe(2)
    expect(run.err).toContain('usage:')
  })
})
