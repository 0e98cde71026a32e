/** A context around buffers and a temporary home, for running commands and actions in-process. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { actionCtx, createCtx, type ActionCtx, type Ctx } from '../../src/core/context.js';
import { run } from '../../src/cli.js';

export class Buffer_ {
  text = '';
  isTTY = false;
  columns = 100;
  constructor(private readonly onWrite?: (text: string) => void) {}
  write(chunk: string): boolean {
    this.text += chunk;
    this.onWrite?.(this.text);
    return true;
  }
}

export interface TempHome {
  dir: string;
  env: Record<string, string>;
  cleanup(): void;
}

/** A fresh DCOS_DIR (config, cache, data) that nothing else shares. */
export function tempHome(extraEnv: Record<string, string> = {}): TempHome {
  const dir = mkdtempSync(join(tmpdir(), 'dcos-test-'));
  return {
    dir,
    env: { DCOS_DIR: join(dir, 'dcos'), HOME: dir, PATH: process.env.PATH ?? '', ...extraEnv },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `dcos <argv>` in this process against the given environment. */
export async function runCli(
  argv: string[],
  opts: {
    env: Record<string, string>;
    cwd?: string;
    signal?: AbortSignal;
    input?: string;
    /** Called with all of stderr so far after each write: lets a test act at a given point of a command. */
    onStderr?: (text: string) => void;
  },
): Promise<CliResult> {
  const stdout = new Buffer_();
  const stderr = new Buffer_(opts.onStderr);
  const stdin = new PassThrough() as unknown as NodeJS.ReadStream;
  // `input` is what a pipe into the command would give it (stdin ends after it).
  if (opts.input !== undefined) (stdin as unknown as PassThrough).end(opts.input);
  const exitCode = await run(argv, { stdout, stderr, stdin, env: opts.env, cwd: opts.cwd ?? process.cwd(), signal: opts.signal });
  return { exitCode, stdout: stdout.text, stderr: stderr.text };
}

/** An action context with collected warnings. */
export function testActionCtx(env: Record<string, string>, cwd = process.cwd()): { ctx: ActionCtx; warnings: string[]; full: Ctx } {
  const warnings: string[] = [];
  const full = createCtx({ stdout: new Buffer_(), stderr: new Buffer_(), stdin: new PassThrough() as unknown as NodeJS.ReadStream, env, cwd });
  return { ctx: actionCtx(full, (m) => warnings.push(m)), warnings, full };
}

export const FIXTURE_REPO = new URL('../fixtures/repos/basic', import.meta.url).pathname;

/** Makes `repositories`, in that order of priority, the home's repository list. */
export function writeRepositories(home: TempHome, repositories: Array<{ name: string; uri: string }>): void {
  mkdirSync(home.env.DCOS_DIR, { recursive: true });
  writeFileSync(join(home.env.DCOS_DIR, 'repositories.json'), JSON.stringify({ repositories }));
}

/** A temporary home whose repository list is `repositories`, in that order of priority. */
function homeWithRepos(repositories: Array<{ name: string; uri: string }>, extraEnv: Record<string, string>): TempHome {
  const home = tempHome(extraEnv);
  writeRepositories(home, repositories);
  return home;
}

/** A temporary home whose only repository is the test fixture repository. */
export function fixtureHome(extraEnv: Record<string, string> = {}): TempHome {
  return homeWithRepos([{ name: 'fixtures', uri: FIXTURE_REPO }], extraEnv);
}

const FAILING_REPO = new URL('../fixtures/repos/failing', import.meta.url).pathname;

/** A temporary home searching the bundled repository and then the failing-package fixtures. */
export function failingReposHome(extraEnv: Record<string, string> = {}): TempHome {
  return homeWithRepos([{ name: 'bundled', uri: 'bundled' }, { name: 'failing', uri: FAILING_REPO }], extraEnv);
}
