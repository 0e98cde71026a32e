#!/usr/bin/env node
// Launcher: refuses old Node with a clear message, answers --version and --help from files written
// at build time (no module graph to load), and otherwise loads the bundled CLI.
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  process.stderr.write(`Error: dcos needs Node.js 20.19 or newer (this is ${process.version}).\n`);
  process.exit(1);
}

const argv = process.argv.slice(2);
const dist = join(__dirname, '..', 'dist');

function fastPath() {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
    return `dcos ${version}\n`;
  }
  const last = argv[argv.length - 1];
  const words = last === '--help' || last === '-h' ? argv.slice(0, -1) : argv;
  if (words !== argv || argv.length === 0 || argv.length <= 2) {
    if (words.some((w) => w.startsWith('-'))) return undefined;
    let help;
    try {
      help = JSON.parse(readFileSync(join(dist, 'help.json'), 'utf8'));
    } catch {
      return undefined;
    }
    const key = words.join(' ');
    const text = help.texts[key];
    // Without --help only a group (dcos, dcos package) prints its help; a command, or a group with
    // a default command (dcos task), runs.
    const bareGroup = text !== undefined && text.includes('\nCommands:\n') && !help.runnableGroups.includes(key);
    if (text !== undefined && (words !== argv || bareGroup)) return text;
  }
  return undefined;
}

const text = fastPath();
if (text !== undefined) process.stdout.write(text);
else require('../dist/cli.cjs').main(argv);
