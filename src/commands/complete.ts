/**
 * `dcos __complete <words...>`: prints the candidates for the last word, one per line. Runs on
 * every Tab press, so it walks the static command registry and loads the universe only when a
 * package name is wanted.
 */
import type { Ctx } from '../core/context.js';
import { CONFIG_KEYS } from '../core/config-keys.js';
import { COMMANDS, GROUPS } from './registry.js';
import type { CommandSpec } from './types.js';
import { actions } from './shared.js';

const GLOBAL_OPTIONS = ['--help', '--verbose', '--color', '--version'];

export async function run(ctx: Ctx, [words]: readonly [string[]]): Promise<void> {
  const candidates = await complete(ctx, words);
  if (candidates.length) ctx.stdout.write(candidates.join('\n') + '\n');
}

export async function complete(ctx: Ctx, words: readonly string[]): Promise<string[]> {
  const current = words.length ? words[words.length - 1] : '';
  const before = words.slice(0, -1);
  let path = '';
  let command: CommandSpec | undefined;
  let positional = 0;
  let pendingOption: string | undefined;
  for (const word of before) {
    if (pendingOption) {
      pendingOption = undefined;
      continue;
    }
    if (word.startsWith('-')) {
      if (command && !word.includes('=') && optionTakesValue(command, word)) pendingOption = word;
      continue;
    }
    const next = path ? `${path} ${word}` : word;
    if (!command && (GROUPS.some((g) => g.name === next) || COMMANDS.some((c) => c.name === next))) {
      path = next;
      command = COMMANDS.find((c) => c.name === next);
      continue;
    }
    if (!command) command = COMMANDS.find((c) => c.name === `${path} list` && c.isDefault);
    positional += 1;
  }
  const match = (list: Iterable<string>) => [...list].filter((c) => c.startsWith(current)).sort();

  if (pendingOption) {
    const pending = pendingOption;
    const opt = command?.options?.find((o) => o.flags.split(/[ ,]+/).includes(pending));
    return opt?.choices ? match(opt.choices) : [];
  }
  if (current.startsWith('-')) {
    const flags = (command?.options ?? []).flatMap((o) => o.flags.split(/[ ,]+/).filter((f) => f.startsWith('--')));
    if (command?.json) flags.push('--json');
    return match([...flags, ...GLOBAL_OPTIONS]);
  }
  if (!command) {
    const prefix = path ? `${path} ` : '';
    const children = new Set<string>();
    for (const entry of [...GROUPS, ...COMMANDS]) {
      if (entry.hidden || !entry.name.startsWith(prefix)) continue;
      const rest = entry.name.slice(prefix.length);
      if (rest && !rest.includes(' ')) children.add(rest);
    }
    return match(children);
  }
  const arg = command.args?.[Math.min(positional, (command.args?.length ?? 1) - 1)];
  if (!arg || (positional >= (command.args?.length ?? 0) && !arg.variadic)) return [];
  return match(await argumentValues(ctx, command, arg.name));
}

function optionTakesValue(command: CommandSpec, flag: string): boolean {
  const opt = command.options?.find((o) => o.flags.split(/[ ,]+/).includes(flag));
  return Boolean(opt && /[<[]/.test(opt.flags));
}

async function argumentValues(ctx: Ctx, command: CommandSpec, arg: string): Promise<string[]> {
  if (command.name.startsWith('package ') && arg === 'name') {
    const { Catalog } = await import('../universe/catalog.js');
    return new Catalog({ ...actions(ctx), warn: () => undefined }).packageNames();
  }
  if (command.name.startsWith('config ') && arg === 'key') return CONFIG_KEYS.map((k) => k.key);
  if (command.name === 'package repo remove') {
    const { loadRepositories } = await import('../universe/repositories.js');
    return loadRepositories(actions(ctx)).map((r) => r.name);
  }
  if (command.name === 'cluster attach' || command.name === 'cluster remove') {
    const { loadRegistry } = await import('../scheduler/clusters.js');
    return loadRegistry(actions(ctx)).clusters.map((c) => c.name);
  }
  if (command.name === 'completion') return ['bash', 'fish', 'zsh'];
  return [];
}
