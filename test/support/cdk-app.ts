// CDK apps for tests, each synthesizing into a folder the file removes when done: an App given no
// `outdir` makes one under the system's temp folder and leaves it there (22 MB once bundled), a few per run.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { App, type AppProps } from 'aws-cdk-lib'

const outdirs: string[] = []

export function testApp(props: Omit<AppProps, 'outdir'> = {}): App {
  const outdir = mkdtempSync(join(tmpdir(), 'vega-cdk-'))
  outdirs.push(outdir)
  return new App({ ...props, outdir })
}

/** For `afterAll`: removes every app's folder this file made. */
export function removeTestApps(): void {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true })
}
