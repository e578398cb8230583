// The house Lambda: Node 24, bundled locally by esbuild as minified ESM with source maps (no Docker), its
// own log group with the stage's retention, X-Ray tracing, only the environment variables the code's
// config() reads (plus Powertools'), and a role holding exactly its declared access and nothing managed.
import { Duration, type Size, Validations } from 'aws-cdk-lib'
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam'
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda'
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs'
import { LogGroup } from 'aws-cdk-lib/aws-logs'
import type { Construct } from 'constructs'
import type { Config } from '../../../shared/config.js'
import { type Access, type AccessTargets, type FunctionName, statementsFor } from '../access.js'
import type { StageSettings } from '../stages.js'

export type FunctionEnvironment = Partial<Record<keyof Config, string>>

/** Powertools reads these itself; the code's own configuration is `Config`. */
/** Where the scan worker's metrics land (POWERTOOLS_METRICS_NAMESPACE); the dashboard reads them there. */
export const metricsNamespace = 'Vega'

export const powertoolsVariables = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_METRICS_NAMESPACE']

/** An installed package copied next to the bundle because esbuild cannot inline it (a native addon). */
export interface ShippedPackage {
  name: string
  /** Paths inside the package; default: all of it. */
  paths?: string[]
}

export interface VegaFunctionProps {
  /** The folder under functions/: the group name, or scan-worker / cleanup. */
  name: FunctionName
  stage: StageSettings
  environment: FunctionEnvironment
  access: Access
  targets: AccessTargets
  memoryMb: number
  timeout: Duration
  /** arm64 is cheaper per GB-second; x86_64 only for a native addon installed for it alone. */
  architecture?: Architecture
  ephemeralStorage?: Size
  reservedConcurrency?: number
  /** Files a function reads at run time from installed packages, copied next to the bundle. */
  packageFiles?: { package: string; files: string[] }[]
  /** Files of the project a function reads at run time (generated documents), copied beside the bundle. */
  projectFiles?: string[]
  /** Packages left out of the bundle (`externalModules`) and copied whole into the asset. */
  shippedPackages?: ShippedPackage[]
  /**
   * The group's routes marked `streams`, through its `streamHandler`: every invocation answers as a stream
   * (Lambda response streaming), which only a STREAM integration reads, so these routes get a function of
   * their own.
   */
  streaming?: true
}

export class VegaFunction extends NodejsFunction {
  readonly functionLabel: FunctionName
  readonly declaredAccess: Access
  readonly streaming: boolean

  constructor(scope: Construct, id: string, props: VegaFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.stage.logRetention,
      removalPolicy: props.stage.removalPolicy,
    })
    // Our own role instead of the default one: it would carry the managed AWSLambdaBasicExecutionRole,
    // which may write to any log group in the account.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Vega ${props.stage.name} ${props.name}: its log group and its declared access`,
    })
    role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    )
    for (const statement of statementsFor(props.access, props.targets)) role.addToPolicy(statement)
    // X-Ray's PutTraceSegments has no resource-level permissions: its only resource is "*".
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing: xray:PutTraceSegments and PutTelemetryRecords support no resource but "*"',
    })

    const shipped = props.shippedPackages ?? []
    super(scope, id, {
      entry: `functions/${props.name}/handler.ts`,
      handler: props.streaming ? 'streamHandler' : 'handler',
      description: `Vega ${props.stage.name}: ${props.name}${props.streaming ? ' (streamed routes)' : ''}`,
      runtime: Runtime.NODEJS_24_X,
      architecture: props.architecture ?? Architecture.ARM_64,
      memorySize: props.memoryMb,
      timeout: props.timeout,
      ephemeralStorageSize: props.ephemeralStorage,
      reservedConcurrentExecutions: props.reservedConcurrency,
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      environment: {
        ...props.environment,
        STAGE: props.stage.name,
        POWERTOOLS_SERVICE_NAME: 'vega',
        POWERTOOLS_LOG_LEVEL: props.stage.logLevel,
        POWERTOOLS_METRICS_NAMESPACE: metricsNamespace,
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // The runtime's SDK v3 (the default externals); plus native addons, which ship as packages.
        externalModules: ['@aws-sdk/*', ...shipped.map((pkg) => pkg.name)],
        // ESM bundles of CommonJS dependencies still call require(); give them one.
        banner:
          "import { createRequire as __vegaRequire } from 'node:module'; const require = __vegaRequire(import.meta.url);",
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) => [
            ...(props.projectFiles ?? []).map((file) => `cp "${inputDir}/${file}" "${outputDir}/"`),
            ...(props.packageFiles ?? []).flatMap(({ package: name, files }) => [
              `mkdir -p "${outputDir}/node_modules/${name}"`,
              ...['package.json', ...files].map(
                (file) => `cp "${inputDir}/node_modules/${name}/${file}" "${outputDir}/node_modules/${name}/"`,
              ),
            ]),
            // Copied from the local node_modules: `bundling.nodeModules` would run npm install (network).
            ...shipped.flatMap(({ name, paths }) => {
              const from = `${inputDir}/node_modules/${name}`
              const to = `${outputDir}/node_modules/${name}`
              if (!paths) return [`mkdir -p "${to}"`, `cp -R "${from}/." "${to}/"`]
              return paths.flatMap((path) => {
                const parent = path.includes('/') ? `/${path.slice(0, path.lastIndexOf('/'))}` : ''
                return [`mkdir -p "${to}${parent}"`, `cp -R "${from}/${path}" "${to}${parent}/"`]
              })
            }),
          ],
        },
      },
    })
    this.functionLabel = props.name
    this.declaredAccess = props.access
    this.streaming = props.streaming === true
  }
}

/** API functions answer within API Gateway's 29 s integration limit; past it the client sees a 504 anyway. */
export const apiTimeoutLimit = Duration.seconds(29)
