/**
 * The context every command receives instead of reaching for globals: streams, environment,
 * working directory, paths, configuration and the global flags. Tests build one around buffers.
 */
import { Config } from './config.js';
import type { TomlValue } from './toml.js';
import { resolvePaths, type Paths } from './paths.js';

/** The part of a writable stream dcos uses. */
export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

export interface InStream {
  isTTY?: boolean;
}

export type ColorMode = 'auto' | 'always' | 'never';

export interface GlobalOptions {
  json: boolean;
  verbose: number;
  color: ColorMode;
}

export interface Ctx {
  stdout: OutStream;
  stderr: OutStream;
  stdin: InStream & NodeJS.ReadableStream;
  env: Record<string, string | undefined>;
  cwd: string;
  paths: Paths;
  config: Config;
  global: GlobalOptions;
  /** Aborted on SIGINT; long operations pass it down. */
  signal: AbortSignal;
  now(): Date;
}

export interface CtxInit {
  stdout: OutStream;
  stderr: OutStream;
  stdin: InStream & NodeJS.ReadableStream;
  env: Record<string, string | undefined>;
  cwd: string;
  signal?: AbortSignal;
  global?: Partial<GlobalOptions>;
  /** Config values given by flags (they win over environment and file). */
  configFlags?: Record<string, TomlValue | undefined>;
}

export function createCtx(init: CtxInit): Ctx {
  const paths = resolvePaths(init.env);
  return {
    stdout: init.stdout,
    stderr: init.stderr,
    stdin: init.stdin,
    env: init.env,
    cwd: init.cwd,
    paths,
    config: new Config(paths.config, init.env, init.configFlags, init.cwd),
    global: { json: false, verbose: 0, color: 'auto', ...init.global },
    signal: init.signal ?? new AbortController().signal,
    now: () => new Date(),
  };
}

/** What actions and libraries may use: no streams, no flags. Warnings go through `warn`. */
export type ActionCtx = Pick<Ctx, 'paths' | 'config' | 'cwd' | 'env' | 'now' | 'signal'> & {
  warn(message: string): void;
};

/** The action context of a command: warnings become stderr lines. */
export function actionCtx(ctx: Ctx, warn: (message: string) => void): ActionCtx {
  return { paths: ctx.paths, config: ctx.config, cwd: ctx.cwd, env: ctx.env, now: ctx.now, signal: ctx.signal, warn };
}
