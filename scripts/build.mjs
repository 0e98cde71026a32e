// Bundles dcos with esbuild in two parts:
// - dist/cli.cjs: the launcher's core (commander tree, config, errors, output) as one CommonJS file,
//   because Node loads one CommonJS file faster than a graph of ES modules;
// - dist/commands/**.js (and dist/daemon/main.js): each command as an ES module with shared chunks,
//   imported only when that command runs.
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const define = { __DCOS_VERSION__: JSON.stringify(pkg.version), 'process.env.NODE_ENV': '"production"' };

function commandEntries(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return commandEntries(path);
    return d.name.endsWith('.ts') && !['registry.ts', 'types.ts', 'shared.ts'].includes(d.name) ? [path] : [];
  });
}

rmSync('dist', { recursive: true, force: true });

const entryPoints = commandEntries('src/commands');
if (existsSync('src/daemon/main.ts')) entryPoints.push('src/daemon/main.ts');
const modules = await build({
  entryPoints,
  outdir: 'dist',
  outbase: 'src',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  metafile: true,
  legalComments: 'none',
  chunkNames: 'chunks/[name]-[hash]',
  // A native addon: loaded from node_modules at run time.
  external: ['better-sqlite3'],
  define,
  // ink's optional devtools integration imports a package we never install.
  alias: { 'react-devtools-core': './scripts/empty-module.mjs' },
  // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
  banner: { js: "import { createRequire as __dcosCreateRequire } from 'node:module'; const require = __dcosCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

// The core leaves every command module to its own bundle: `./package/search.js` imported by the
// registry becomes `./commands/package/search.js` next to dist/cli.cjs.
const commandsExternal = {
  name: 'commands-external',
  setup(b) {
    b.onResolve({ filter: /^\.\/.*\.js$/ }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      if (args.importer.endsWith(join('src', 'commands', 'registry.ts'))) return { path: `./commands/${args.path.slice(2)}`, external: true };
      if (args.importer.endsWith(join('src', 'cli.ts')) && args.path.startsWith('./commands/')) return { path: args.path, external: true };
      return undefined;
    });
  },
};
const core = await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/cli.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  metafile: true,
  legalComments: 'none',
  define: { ...define, 'import.meta.url': '__dcosImportMetaUrl' },
  banner: { js: "var __dcosImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [commandsExternal],
  logLevel: 'warning',
});

// Which sources each output holds: the tests check what --help and completion load.
writeFileSync('dist/meta.json', JSON.stringify({ outputs: { ...modules.metafile.outputs, ...core.metafile.outputs } }));

// Precomputed help, so `dcos --help` never loads the CLI at all (see bin/dcos.js).
const { helpTexts } = createRequire(import.meta.url)('../dist/cli.cjs');
writeFileSync('dist/help.json', JSON.stringify(helpTexts()));
