/** The test command's own output: a CI log or a file gets plain text, never colour codes. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/index.js';

/** The environment of a CI job: CI set, no colour preference, none of this run's vitest variables. */
function ciEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(VITEST|NO_COLOR$|FORCE_COLOR$|TEST$|NODE_ENV$)/.test(key)) env[key] = value;
  }
  return { ...env, CI: 'true' };
}

describe('the test command', () => {
  // A whole nested vitest run: give it room on a busy machine (the inner run is one small file).
  it('writes no ANSI colour codes when its output is a pipe under CI', { timeout: 120_000 }, async () => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'scripts', 'test.mjs'), 'test/unit/marathon/app-id.test.ts'], { cwd: REPO_ROOT, env: ciEnv() });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(status, output).toBe(0);
    expect(output).toMatch(/Tests: [1-9]\d* passed, 0 failed/);
    expect(output).toContain('app-id.test.ts');
    expect(output).not.toContain('\u001b[');
  });
});
