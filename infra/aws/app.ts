// cdk synth -c stage=dev|prod. Works offline with no credentials: the stack is environment-agnostic and
// nothing looks anything up. cdk-nag's AWS Solutions pack checks every synth; an unacknowledged finding
// fails it ("Synthesis finished with errors").
import { App, Validations } from 'aws-cdk-lib'
import { AwsSolutionsChecks } from 'cdk-nag'
import { VegaStack } from './stack.js'
import { stageFromContext } from './stages.js'

export function buildApp(app = new App()): App {
  const stage = stageFromContext(app.node)
  // Log delivery writes server access logs under a bucket policy, not the deprecated log-delivery ACL.
  app.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true)
  // cdk-nag 3 is a validation plugin (Aspects.of(app).add(...) was the v2 form and crashes synth now).
  // Acknowledgements stay in the construct tree with their reasons: copying them into the template
  // (writeSuppressionsToCloudFormation) adds one entry per API method and pushes it towards 1 MB.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }))
  new VegaStack(app, `vega-${stage.name}`, {
    stage,
    description: `Vega code-scanning backend (${stage.name})`,
    tags: { application: 'vega', stage: stage.name },
  })
  return app
}

if (import.meta.url === `file://${process.argv[1]}`) buildApp().synth()
