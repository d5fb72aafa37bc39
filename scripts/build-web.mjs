// Bundles the web page (web/) into dist/web/ at `npm run build`: the package ships
// the page ready to serve, with no CDN, no network and no build step at run time.
import { copyFile, mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('..', import.meta.url))
const out = `${root}dist/web/`
await mkdir(out, { recursive: true })
await build({
  entryPoints: [`${root}web/src/main.tsx`],
  outfile: `${out}app.js`,
  bundle: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: false,
  legalComments: 'eof',
  logLevel: 'warning',
})
for (const name of ['index.html', 'app.css', 'icon.svg']) await copyFile(`${root}web/${name}`, `${out}${name}`)
