// cdk synth -c stage=dev|prod. Works offline with no credentials: the stacks are environment-agnostic
// and nothing looks anything up.
import { App } from 'aws-cdk-lib'
import { VegaStack } from './stack.js'
import { type StageSettings, stages } from './stages.js'

export function buildApp(app = new App()): App {
  const name = (app.node.tryGetContext('stage') ?? 'dev') as string
  const stage = stages[name as StageSettings['name']]
  if (!stage) throw new Error(`Unknown stage "${name}": use -c stage=dev or -c stage=prod`)
  new VegaStack(app, `vega-${stage.name}`, { stage, description: `Vega code-scanning backend (${stage.name})` })
  return app
}

if (import.meta.url === `file://${process.argv[1]}`) buildApp().synth()
