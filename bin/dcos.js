#!/usr/bin/env node
// Thin launcher: refuse old Node with a clear message, then load the bundled CLI.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  process.stderr.write(`Error: dcos needs Node.js 20.19 or newer (this is ${process.version}).\n`);
  process.exit(1);
}
import('../dist/cli.js').then((m) => m.main(process.argv.slice(2)));
