import { createServer } from 'node:net'
import { startDynamoDb, startS3 } from './infra/local/emulators.ts'
const saved = process.env.PATH
process.env.PATH = '/nonexistent'
await startDynamoDb().then(() => console.log('unexpected'), (e) => console.log('no java ->', e.message))
process.env.PATH = saved
const busy = createServer().listen(0, '127.0.0.1')
await new Promise((r) => busy.once('listening', r))
const port = (busy.address() as { port: number }).port
let t = Date.now()
await startDynamoDb({ port }).then(() => console.log('unexpected ddb'), (e) => console.log('busy ddb ->', Date.now() - t, 'ms', e.message.slice(-400)))
t = Date.now()
await startS3({ port }).then(() => console.log('unexpected s3'), (e) => console.log('busy s3 ->', Date.now() - t, 'ms', e.message.slice(-400)))
busy.close()
