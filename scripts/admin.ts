// npm run admin -- create-user --email <email> [--name <name>] [--workspace <name>] [--local]
// Creates a user who owns a new workspace, in any stage: it prints a one-time setup token (valid a week)
// with which the user sets a password (POST /v1/auth/password). With --password-stdin it reads the
// password from standard input instead, so it never lands in shell history.
// In AWS: run with the stage's TABLE_NAME and AWS credentials. --local: against `npm start`'s emulators.
import { parseArgs } from 'node:util'
import { issueSetupToken } from '../shared/data/logins.js'
import { createOwnerIfAbsent } from '../shared/data/users.js'
import { targetTable } from './table-target.js'

const usage =
  'usage: npm run admin -- create-user --email <email> [--name <name>] [--workspace <name>] [--password-stdin] [--local]'
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    email: { type: 'string' },
    name: { type: 'string' },
    workspace: { type: 'string' },
    'password-stdin': { type: 'boolean', default: false },
    local: { type: 'boolean', default: false },
  },
})

if (positionals[0] !== 'create-user' || !values.email) {
  console.error(usage)
  process.exit(2)
}
targetTable({ local: values.local, script: 'admin' })

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8').trim()
}

const password = values['password-stdin'] ? await readStdin() : undefined
if (password !== undefined && password.length < 12) {
  console.error('admin: the password must have at least 12 characters')
  process.exit(2)
}
const email = values.email
const result = await createOwnerIfAbsent({
  email,
  name: values.name ?? email.split('@')[0]!,
  password,
  workspaceName: values.workspace ?? `${values.name ?? email.split('@')[0]}'s workspace`,
})
if (!result.created) {
  console.error(`admin: ${email} already exists (${result.userId}); nothing changed`)
  process.exit(1)
}
console.log(`admin: created ${result.userId}, owner of ${result.workspaceId}`)
if (!password) {
  const token = await issueSetupToken(result.userId)
  console.log(`admin: one-time setup token (valid 7 days; shown once):\n${token}`)
  console.log('admin: set the password with POST /v1/auth/password {"setup_token": "…", "new_password": "…"}')
}
