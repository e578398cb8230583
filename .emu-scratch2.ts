const t0 = Date.now()
const m = await import('./infra/local/emulators.ts')
console.log(process.version, 'import ms', Date.now() - t0)
for (const start of [m.startDynamoDb, m.startS3, m.startSqs]) {
  const e = await start({})
  const t = Date.now(); await e.stop(); console.log(e.name, 'stop ms', Date.now() - t)
  const t2 = Date.now(); await e.stop(); console.log(e.name, 'second stop ms', Date.now() - t2)
}
