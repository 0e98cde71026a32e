/**
 * Every command dcos has, declared without importing its code: the module is loaded only when the
 * command runs, so --help, --version and completion stay fast.
 */
import type { CommandSpec, GroupSpec } from './types.js';

export const GROUPS: readonly GroupSpec[] = [
  { name: 'package', description: 'Find, inspect and install service packages' },
  { name: 'package repo', description: 'Manage the package repositories dcos searches' },
  { name: 'config', description: 'Show and change dcos configuration' },
  { name: 'cluster', description: 'Start, stop and attach clusters (the local embedded one, DC/OS, Marathon)' },
  { name: 'marathon', description: 'Talk to the Marathon of the attached cluster' },
];

const jsonNote = 'With --json, prints JSON instead of a table.';

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'package search',
    description: 'Search the package repositories by name, tag or description',
    args: [{ name: 'query', description: 'Text to look for; "*" is a wildcard' }],
    json: true,
    examples: ['dcos package search kafka', 'dcos package search "data*" --json'],
    load: () => import('./package/search.js'),
  },
  {
    name: 'package describe',
    description: 'Show a package: its versions, options, Marathon template or rendered app',
    args: [{ name: 'name', description: 'Package name', required: true }],
    options: [
      { flags: '--package-version <version>', description: 'Exact version, or a semver range such as ^3.8' },
      { flags: '--package-versions', description: 'List the versions of the package, newest first' },
      { flags: '--config', description: 'Show the options the package accepts, with defaults and descriptions' },
      { flags: '--app', description: 'Show the Marathon app template' },
      { flags: '--render', description: 'Render the Marathon app with the options (implies --app)' },
      { flags: '--options <file>', description: 'Options file (JSON or YAML) to render with (implies --render)' },
      { flags: '--app-id <id>', description: 'App id to render with (implies --render)' },
      { flags: '--cli', description: "Show the package's CLI binaries" },
    ],
    json: true,
    examples: [
      'dcos package describe kafka',
      'dcos package describe kafka --config',
      'dcos package describe kafka --package-version 3.8.1 --render --options kafka.yaml',
    ],
    load: () => import('./package/describe.js'),
  },
  {
    name: 'package repo list',
    description: 'List the package repositories, highest priority first',
    json: true,
    load: () => import('./package/repo/list.js'),
  },
  {
    name: 'package repo add',
    description: 'Add a package repository: a local directory, an index file, or an http(s) index URL',
    args: [
      { name: 'name', description: 'Name for the repository', required: true },
      { name: 'uri', description: 'Directory, index file or http(s) URL', required: true },
    ],
    options: [{ flags: '--index <n>', description: 'Position in the list (0 = highest priority); default last', integer: true }],
    examples: ['dcos package repo add local ./my-universe --index 0', 'dcos package repo add mirror https://example.com/repo.json'],
    load: () => import('./package/repo/add.js'),
  },
  {
    name: 'package repo remove',
    description: 'Remove package repositories by name',
    args: [{ name: 'names', description: 'Repository names', required: true, variadic: true }],
    load: () => import('./package/repo/remove.js'),
  },
  {
    name: 'package repo index',
    description: 'Build the index ({"packages": [...]}) of a local repository for publishing',
    args: [{ name: 'dir', description: 'Repository directory (the one holding packages/)', required: true }],
    options: [
      { flags: '-o, --output <file>', description: 'Write the index to a file instead of stdout' },
      { flags: '--strict', description: 'Fail (exit 1) when any package revision is invalid' },
    ],
    load: () => import('./package/repo/index.js'),
  },
  {
    name: 'config show',
    description: 'Show configuration values (one key prints just its value)',
    args: [{ name: 'key', description: 'A key such as core.dcos_url' }],
    json: true,
    load: () => import('./config/show.js'),
  },
  {
    name: 'config set',
    description: 'Set a configuration value in the config file',
    args: [
      { name: 'key', description: 'A key such as core.timeout', required: true },
      { name: 'value', description: 'The value', required: true },
    ],
    load: () => import('./config/set.js'),
  },
  {
    name: 'config unset',
    description: 'Remove a configuration value from the config file',
    args: [{ name: 'key', description: 'The key to remove', required: true }],
    load: () => import('./config/unset.js'),
  },
  {
    name: 'config list',
    description: 'List every configuration key with its value, source and meaning',
    json: true,
    load: () => import('./config/list.js'),
  },
  {
    name: 'cluster up',
    description: 'Start the local embedded cluster in the background and attach to it',
    options: [
      { flags: '--name <name>', description: 'Cluster name (default: local)' },
      { flags: '--port <port>', description: 'API port on 127.0.0.1 (default: the last one used, or a free one)', integer: true },
      { flags: '--data-dir <dir>', description: 'Where it keeps its state and task sandboxes' },
    ],
    json: true,
    examples: ['dcos cluster up', 'dcos cluster up --name dev --port 8480'],
    load: () => import('./cluster/up.js'),
  },
  {
    name: 'cluster down',
    description: 'Stop a local cluster and its tasks (SIGTERM, then SIGKILL after the grace period)',
    options: [{ flags: '--name <name>', description: 'Cluster name (default: local)' }],
    load: () => import('./cluster/down.js'),
  },
  {
    name: 'cluster status',
    description: 'Show the attached (or named) cluster: URL, data dir, pid and health',
    options: [{ flags: '--name <name>', description: 'Cluster name (default: the attached one)' }],
    json: true,
    load: () => import('./cluster/status.js'),
  },
  {
    name: 'cluster list',
    description: 'List the clusters dcos knows, the attached one marked with *',
    json: true,
    load: () => import('./cluster/list.js'),
  },
  {
    name: 'cluster attach',
    description: 'Make a cluster the one commands talk to (sets core.dcos_url and core.dcos_acs_token)',
    args: [{ name: 'name', description: 'Cluster name', required: true }],
    load: () => import('./cluster/attach.js'),
  },
  {
    name: 'cluster remove',
    description: 'Forget a cluster (a local one must be stopped first; its data dir is kept)',
    args: [{ name: 'name', description: 'Cluster name', required: true }],
    load: () => import('./cluster/remove.js'),
  },
  {
    name: 'marathon about',
    description: "Print the attached cluster's Marathon info",
    load: () => import('./marathon/about.js'),
  },
  {
    name: 'completion',
    description: 'Print a shell completion script (bash, zsh or fish)',
    args: [{ name: 'shell', description: 'bash, zsh or fish', required: true }],
    examples: ['source <(dcos completion bash)', 'dcos completion fish > ~/.config/fish/completions/dcos.fish'],
    load: () => import('./completion.js'),
  },
  {
    name: '__complete',
    description: 'Print completion candidates for the words given (used by the completion scripts)',
    args: [{ name: 'words', description: 'The words typed so far', variadic: true }],
    hidden: true,
    load: () => import('./complete.js'),
  },
];

export { jsonNote };
