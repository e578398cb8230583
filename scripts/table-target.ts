// The environment a table-only operator script needs: the local stack's table with `--local`, else the
// caller's TABLE_NAME and AWS credentials; placeholders for what config() wants but the script never uses.
import { localCredentials, localRegion } from '../infra/local/resources.js'

export function targetTable(options: { local: boolean; script: string }): void {
  if (options.local) {
    const port = Number(process.env.PORT ?? 8000)
    process.env.TABLE_NAME ??= 'vega-state'
    process.env.AWS_ENDPOINT_URL_DYNAMODB ??= `http://127.0.0.1:${process.env.VEGA_DYNAMODB_PORT ?? port + 1}`
    process.env.AWS_REGION ??= localRegion
    process.env.AWS_ACCESS_KEY_ID ??= localCredentials.accessKeyId
    process.env.AWS_SECRET_ACCESS_KEY ??= localCredentials.secretAccessKey
  }
  process.env.UPLOADS_BUCKET ??= `unused-by-${options.script}`
  process.env.SCAN_QUEUE_URL ??= `https://unused.invalid/${options.script}`
  process.env.SCAN_DLQ_URL ??= `https://unused.invalid/${options.script}`
  process.env.WEBHOOK_QUEUE_URL ??= `https://unused.invalid/${options.script}`
}
