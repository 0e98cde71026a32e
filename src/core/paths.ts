import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where dcos keeps its files. Resolved once per context, created only when written to. */
export interface Paths {
  /** Config file and repository list. */
  config: string;
  /** Repository index caches, downloaded indexes. */
  cache: string;
  /** Clusters' data dirs (the embedded cluster's SQLite store, sandboxes). */
  data: string;
  /** Runtime state: logs. */
  state: string;
}

type Env = Record<string, string | undefined>;

/**
 * `DCOS_DIR` (the legacy single root) puts everything under one directory; otherwise the XDG base
 * directories are used, falling back to the usual `~/.config`, `~/.cache`, `~/.local/share`,
 * `~/.local/state`.
 */
export function resolvePaths(env: Env): Paths {
  const root = env.DCOS_DIR;
  if (root) {
    return { config: root, cache: join(root, 'cache'), data: join(root, 'data'), state: join(root, 'state') };
  }
  const home = env.HOME || homedir();
  const xdg = (name: string, fallback: string) => join(env[name] || join(home, fallback), 'dcos');
  return {
    config: xdg('XDG_CONFIG_HOME', '.config'),
    cache: xdg('XDG_CACHE_HOME', '.cache'),
    data: xdg('XDG_DATA_HOME', join('.local', 'share')),
    state: xdg('XDG_STATE_HOME', join('.local', 'state')),
  };
}
