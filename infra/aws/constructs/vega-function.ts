// The house Lambda: Node 24 on arm64, bundled locally by esbuild as ESM (no Docker), a log group with
// the stage's retention, and only the environment variables the code's config() reads.
import type { Duration, Size } from 'aws-cdk-lib'
import { Architecture, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda'
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs'
import { LogGroup } from 'aws-cdk-lib/aws-logs'
import type { Construct } from 'constructs'
import type { Config } from '../../../shared/config.js'
import type { StageSettings } from '../stages.js'

export type FunctionEnvironment = Partial<Record<keyof Config, string>>

export interface VegaFunctionProps {
  /** The folder under functions/: the group name, or scan-worker / cleanup. */
  name: string
  stage: StageSettings
  environment: FunctionEnvironment
  memoryMb: number
  timeout: Duration
  ephemeralStorage?: Size
  reservedConcurrency?: number
  /** Files a function reads at run time from installed packages, copied next to the bundle. */
  packageFiles?: { package: string; files: string[] }[]
}

export class VegaFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: VegaFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.stage.logRetention,
      removalPolicy: props.stage.removalPolicy,
    })
    super(scope, id, {
      entry: `functions/${props.name}/handler.ts`,
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memoryMb,
      timeout: props.timeout,
      ephemeralStorageSize: props.ephemeralStorage,
      reservedConcurrentExecutions: props.reservedConcurrency,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: { ...props.environment, STAGE: props.stage.name, POWERTOOLS_SERVICE_NAME: 'vega' },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // ESM bundles of CommonJS dependencies still call require(); give them one.
        banner:
          "import { createRequire as __vegaRequire } from 'node:module'; const require = __vegaRequire(import.meta.url);",
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) =>
            (props.packageFiles ?? []).flatMap(({ package: name, files }) => [
              `mkdir -p "${outputDir}/node_modules/${name}"`,
              ...['package.json', ...files].map(
                (file) => `cp "${inputDir}/node_modules/${name}/${file}" "${outputDir}/node_modules/${name}/"`,
              ),
            ]),
        },
      },
    })
  }
}
