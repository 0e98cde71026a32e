
import { resolve } from 'node:path';
import type { Ctx } from '../../../core/context.js';
import { DcosError } from '../../../core/errors.js';
import { info, warn } from '../../../core/output.js';
import { buildRepositoryIndex } from '../../../actions/package-repo-index.js';
import { actions } from '../../shared.js';
import { writeFileAtomic } from '../../../core/atomic-file.js';

export interface RepoIndexFlags {
  output?: string;
  strict?: boolean;
}

export async function run(ctx: Ctx, [dir]: readonly [string], opts: RepoIndexFlags): Promise<number> {
  const { index, broken } = await buildRepositoryIndex(actions(ctx), dir);
  for (const b of broken) {
    warn(ctx, `Skipping invalid ${b.file}:\n${b.problems.map((p) => `    ${p.path && p.path !== '/' ? `${p.path}: ` : ''}${p.message}`).join('\n')}`);
  }
  if (opts.strict && broken.length) {
    throw new DcosError('EREPO_INVALID', `${broken.length} package revision(s) are invalid; no index written (--strict)`);
  }
  const text = JSON.stringify(index) + '\n';
  if (opts.output) {
    const file = resolve(ctx.cwd, opts.output);
    writeFileAtomic(file, text);
    const names = new Set(index.packages.map((p) => p.name));
    info(ctx, `Wrote ${index.packages.length} revisions of ${names.size} packages to ${file}`);
  } else {
    ctx.stdout.write(text);
  }
  return 0;
}
