// The interactive reference: Swagger UI, its assets served by Vega itself (no CDN, works offline).
// The page's script is an asset too, so a strict Content-Security-Policy (no inline script) holds.
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const swaggerUiDir = () => dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))

const initScript = `window.addEventListener('load', () => {
  window.ui = SwaggerUIBundle({
    url: new URL('openapi.json', window.location.href).href,
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: false,
    displayRequestDuration: true,
  })
})
`

export const docsHtml = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Vega API reference</title>
  <link rel="stylesheet" href="docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="docs/swagger-ui-bundle.js"></script>
  <script src="docs/init.js"></script>
</body>
</html>
`

// The only names /v1/docs/{asset} serves: an allowlist, never a path into the file system.
const assets: Record<string, { file?: string; text?: string; type: string }> = {
  'swagger-ui.css': { file: 'swagger-ui.css', type: 'text/css; charset=utf-8' },
  'swagger-ui-bundle.js': { file: 'swagger-ui-bundle.js', type: 'text/javascript; charset=utf-8' },
  'favicon-32x32.png': { file: 'favicon-32x32.png', type: 'image/png' },
  'init.js': { text: initScript, type: 'text/javascript; charset=utf-8' },
}

const loaded = new Map<string, Buffer>()

/** The asset's bytes and media type, or undefined for a name that is not on the list. */
export async function docsAsset(name: string): Promise<{ body: Buffer; type: string } | undefined> {
  const asset = Object.hasOwn(assets, name) ? assets[name] : undefined
  if (!asset) return undefined
  let body = loaded.get(name)
  if (!body) {
    body = asset.text !== undefined ? Buffer.from(asset.text) : await readFile(join(swaggerUiDir(), asset.file!))
    loaded.set(name, body)
  }
  return { body, type: asset.type }
}

export const docsCsp =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:"
