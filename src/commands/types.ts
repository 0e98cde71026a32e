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

/**
 * A command's module. Each command types its own `run`: its arguments as a tuple in the order of its
 * ArgSpecs (`string` when required, `string | undefined` when optional, `string[]` when variadic) and
 * its options as an exported `XFlags` interface mirroring its OptionSpecs as commander gives them
 * (camelCase names; `--no-x` gives `x: false`; integer and duration options are numbers, durations
 * in ms; repeatable ones are string arrays; an option with a default is always there; `--json` is
 * `json?: boolean`). A command may leave out the parameters it does not read.
 *
 * The parameters are `never` here so that every such signature fits, and so that nothing calls a
 * command's `run` through this type by accident: cli.ts, where commander's values become typed, is
 * the one caller, with the one cast.
 */
export interface CommandModule {
  /** Returns the exit code (0 when nothing is returned). */
  run: (ctx: Ctx, args: never, options: never) => Promise<number | void>;
}

export interface GroupSpec {
  name: string;
  description: string;
  hidden?: boolean;
}
