// Bundles the CLI (and, later, the daemon) with esbuild: ESM, one chunk per lazily loaded
// command, so `dcos --version` loads almost nothing.
import { build } from 'esbuild';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const entryPoints = ['src/cli.ts'];
if (existsSync('src/daemon/main.ts')) entryPoints.push('src/daemon/main.ts');

rmSync('dist', { recursive: true, force: true });
const result = await build({
  metafile: true,
  entryPoints,
  outdir: 'dist',
  outbase: 'src',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  legalComments: 'none',
  chunkNames: 'chunks/[name]-[hash]',
  define: {
    __DCOS_VERSION__: JSON.stringify(pkg.version),
    'process.env.NODE_ENV': '"production"',
  },
  // ink's optional devtools integration imports a package we never install.
  alias: { 'react-devtools-core': './scripts/empty-module.mjs' },
  // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
  banner: { js: "import { createRequire as __dcosCreateRequire } from 'node:module'; const require = __dcosCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

// Which sources each output holds: the tests check what --help and completion load.
writeFileSync('dist/meta.json', JSON.stringify(result.metafile));

// Precomputed help, so `dcos --help` never loads the module graph (see bin/dcos.js).
const { helpTexts } = await import(new URL('../dist/cli.js', import.meta.url).href);
writeFileSync('dist/help.json', JSON.stringify(helpTexts()));
