/** Confirmation before changing a cluster: asked on a terminal, required as --yes everywhere else. */
import { createInterface } from 'node:readline';
import type { Ctx } from './context.js';
import { DcosError, UsageError } from './errors.js';
import { canPrompt } from './tty.js';

export async function confirm(ctx: Ctx, question: string, yes: boolean): Promise<void> {
  if (yes) return;
  if (!canPrompt(ctx)) {
    throw new UsageError('Confirmation needed, and this is not an interactive terminal', { hint: 'Pass --yes to go ahead without a prompt.' });
  }
  const rl = createInterface({ input: ctx.stdin, output: ctx.stderr as NodeJS.WritableStream, terminal: false });
  const answer = await new Promise<string>((resolve) => {
    ctx.stderr.write(`${question} [yes/no] `);
    rl.once('line', resolve);
    rl.once('close', () => resolve(''));
  });
  rl.close();
  if (!/^(y|yes)$/i.test(answer.trim())) throw new DcosError('ECANCELLED', 'Cancelled: nothing was changed');
}
