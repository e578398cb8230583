// Pieces of a small app the end-to-end tests push or scan, each one a finding the engines must report:
// JavaScript that runs a command built from request input, and a lockfile pinning a vulnerable lodash.

export const commandInjectionJs =
  "const { exec } = require('child_process')\napp.get('/ls', (req, res) => exec('ls ' + req.query.dir))\n"

/** package-lock.json (v3) of an app that depends on lodash 4.17.15, which GHSA-p6mc-m468-83gw affects. */
export const vulnerableLockfile = JSON.stringify({
  name: 'app',
  lockfileVersion: 3,
  packages: { '': { name: 'app' }, 'node_modules/lodash': { version: '4.17.15' } },
})
