/** The shape of a command: its declaration (cheap, always loaded) and its module (loaded on demand). */
import type { Ctx } from '../core/context.js';

export interface ArgSpec {
  name: string;
  description: string;
  required?: boolean;
  variadic?: boolean;
}

export interface OptionSpec {
  /** Commander flags, e.g. "--package-version <version>" or "-o, --output <file>". */
  flags: string;
  description: string;
  choices?: readonly string[];
  /** Parse the value as a non-negative integer (usage error otherwise). */
  integer?: boolean;
  /**
   * Parse the value as a duration (90, 90s, 5m, 1h30m) into milliseconds (usage error otherwise).
   * A string default is parsed the same way, so the command always gets a number.
   */
  duration?: boolean;
  /** The value is a Marathon app id: empty or invalid is a usage error naming the flag. */
  appId?: boolean;
  /** The option may be given several times; values are collected into an array. */
  repeatable?: boolean;
  default?: string | boolean | number;
  hidden?: boolean;
}

export interface CommandSpec {
  /** Space-separated path, e.g. "package repo add". */
  name: string;
  description: string;
  args?: readonly ArgSpec[];
  options?: readonly OptionSpec[];
  /** Adds --json. */
  json?: boolean;
  /** Runs when its group is given without a subcommand (dcos task = dcos task list). */
  isDefault?: boolean;
  hidden?: boolean;
  examples?: readonly string[];
  load: () => Promise<CommandModule>;
}

export type Options = Record<string, unknown>;

export interface CommandModule {
  /** Returns the exit code (0 when nothing is returned). */
  run(ctx: Ctx, args: readonly unknown[], options: Options): Promise<number | void>;
}

export interface GroupSpec {
  name: string;
  description: string;
  hidden?: boolean;
}
