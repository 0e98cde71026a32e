/**
 * Docker-container tasks, run through a local Docker or Podman CLI: detection of the runtime
 * (container-runtime.ts), the command lines (container-run.ts), and running, adopting and
 * removing task containers (container-lifecycle.ts). This module gathers the first two for
 * callers that need both.
 */
export * from './container-runtime.js';
export * from './container-run.js';
