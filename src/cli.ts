/**
 * The command line: builds the commander tree from the registry, runs one command, and turns every
 * outcome into an exit code. The only place errors are printed.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { COMMANDS, GROUPS } from './commands/registry.js';
import type { CommandSpec, OptionSpec } from './commands/types.js';
import { createCtx, type ColorMode, type Ctx, type CtxInit } from './core/context.js';
import { printError } from './core/print-error.js';
import { asInterrupted, ExitCode, InterruptedError, UsageError } from './core/errors.js';
import { didYouMean } from './core/suggest.js';
import { parseDuration } from './core/duration.js';
import { APP_ID_RULE, appIdProblem } from './marathon/app-id.js';
import { VERSION } from './core/version.js';

export type RunInit = Omit<CtxInit, 'global' | 'configFlags'>;

/** Help is always wrapped at this width, so the precomputed help of bin/dcos.js matches. */
const HELP_WIDTH = 80;

/** Entry point of bin/dcos.js (which answers --version and --help itself when it can). */
export async function main(argv: readonly string[]): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts += 1;
    controller.abort(new InterruptedError());
    if (interrupts > 1) process.exit(ExitCode.interrupted);
  });
  const code = await run(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  });
  process.exitCode = code;
}

/** Runs one command line in this process and returns its exit code. */
export async function run(argv: readonly string[], init: RunInit): Promise<number> {
  const scan = scanArgv(argv);
  const global = { json: scan.json, verbose: scan.verbose, color: 'auto' as ColorMode };
  const ctx = createCtx({ ...init, global });
  if (argv[0] === '__complete') {
    // Every Tab press runs this: skip commander, and never fail the shell with an error.
    try {
      const { run: complete } = await import('./commands/complete.js');
      await complete(ctx, [argv.slice(1)]);
    } catch {
      // no candidates
    }
    return ExitCode.ok;
  }
  let exitCode: number = ExitCode.ok;
  // Only the branch the command line names is built: commander's per-command setup is most of the
  // CLI's own start-up cost. Anything else (flags first, unknown words) gets the whole tree.
  const only = scan.first !== undefined && TOP_LEVEL.has(scan.first) ? scan.first : undefined;
  const program = buildProgram(ctx, (code) => {
    exitCode = code;
  }, only, scan.words);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    // A command that ends normally on Ctrl-C (a follow) says so with its exit code, and no error.
    if (ctx.signal.aborted && exitCode !== ExitCode.interrupted) throw new InterruptedError();
    return exitCode;
  } catch (err) {
    return handleError(ctx, err);
  }
}

/** What the command line says before commander reads it: global flags, and its words. */
interface ArgvScan {
  json: boolean;
  verbose: number;
  /** The words that are not options (the value of --color skipped), up to `--`. */
  words: string[];
  /** The first word if nothing but global options stands before it (`dcos --json -v package list` -> package). */
  first: string | undefined;
}

function scanArgv(argv: readonly string[]): ArgvScan {
  const scan: ArgvScan = { json: argv.includes('--json'), verbose: 0, words: [], first: undefined };
  let onlyGlobals = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (a === '--color') i += 1;
    else if (a === '--verbose') scan.verbose += 1;
    else if (/^-v+$/.test(a)) scan.verbose += a.length - 1;
    else if (a === '--json' || a.startsWith('--color=')) continue;
    else if (a.startsWith('-')) onlyGlobals = false;
    else {
      if (onlyGlobals && scan.words.length === 0) scan.first = a;
      scan.words.push(a);
    }
  }
  return scan;
}

function handleError(ctx: Ctx, err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) {
      return ExitCode.ok;
    }
    return printError(ctx, commanderToUsage(err));
  }
  return printError(ctx, asInterrupted(err, ctx.signal));
}

function commanderToUsage(err: CommanderError): UsageError {
  const [first, ...rest] = err.message.replace(/^error:\s*/i, '').split('\n');
  const message = first.charAt(0).toUpperCase() + first.slice(1);
  const hint = rest.join(' ').replace(/^\((.*)\)$/, '$1').trim();
  // The help of the command that refused the line, not of dcos as a whole.
  const path = COMMAND_PATH.get(err);
  return new UsageError(message, { hint: hint || `Run "dcos ${path ? `${path} ` : ''}--help" for usage.` });
}

/** Which command (its words) a commander error came from. */
const COMMAND_PATH = new WeakMap<CommanderError, string>();

function rememberPath(cmd: Command, path: string): Command {
  return cmd.exitOverride((err) => {
    COMMAND_PATH.set(err, path);
    throw err;
  });
}

const TOP_LEVEL = new Set([...GROUPS, ...COMMANDS].map((entry) => entry.name.split(' ')[0]));

function inBranch(name: string, only: string | undefined): boolean {
  return only === undefined || name === only || name.startsWith(`${only} `);
}

function buildProgram(ctx: Ctx, setExitCode: (code: number) => void, only?: string, words: readonly string[] = []): Command {
  const program = new Command('dcos');
  program
    .description('Install and run data services on an embedded cluster, DC/OS or Marathon')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
      outputError: () => undefined,
      getOutHelpWidth: () => HELP_WIDTH,
      getErrHelpWidth: () => HELP_WIDTH,
    })
    .showSuggestionAfterError(true)
    .version(`dcos ${VERSION}`, '-V, --version', 'Print the version')
    .option('-v, --verbose', 'Show more detail on stderr (repeat for more)', (_v: string, prev: number) => prev + 1, 0)
    .addOption(new Option('--color <when>', 'Colour output').choices(['auto', 'always', 'never']))
    .option('--json', 'Print JSON on commands that print data, and errors and notes as JSON lines on stderr')
    .helpOption('-h, --help', 'Show help')
    .addHelpCommand(false);
  program.allowExcessArguments(true).action(function (this: Command) {
    const word = this.args[0];
    if (word !== undefined) {
      throw new UsageError(`Unknown command "${word}"`, {
        hint: didYouMean(word, this.commands.map((c) => c.name())) ?? 'Run "dcos --help" for the commands.',
      });
    }
    this.outputHelp();
  });
  program.hook('preAction', (_this, action) => {
    const opts = action.optsWithGlobals();
    ctx.global.verbose = Number(opts.verbose ?? 0);
    if (opts.color) ctx.global.color = opts.color as ColorMode;
    ctx.global.json = Boolean(opts.json);
  });

  const groups = new Map<string, Command>([['', program]]);
  const groupFor = (path: string): Command => {
    const existing = groups.get(path);
    if (existing) return existing;
    const parentPath = path.includes(' ') ? path.slice(0, path.lastIndexOf(' ')) : '';
    const parent = groupFor(parentPath);
    const spec = GROUPS.find((g) => g.name === path);
    const group = rememberPath(parent.command(path.slice(path.lastIndexOf(' ') + 1), { hidden: spec?.hidden }), path);
    group.description(spec?.description ?? '');
    group.allowExcessArguments(true).action(function (this: Command) {
      // A bare group prints its help; an unknown word after it is a usage error.
      const word = this.args[0];
      if (word !== undefined) {
        const names = this.commands.map((c) => c.name());
        throw new UsageError(`Unknown command '${word}' for 'dcos ${path}'`, {
          hint: didYouMean(word, names) ?? `Run "dcos ${path} --help" for the commands.`,
        });
      }
      this.outputHelp();
    });
    groups.set(path, group);
    return group;
  };
  for (const group of GROUPS) if (inBranch(group.name, only)) groupFor(group.name);
  for (const spec of COMMANDS) if (inBranch(spec.name, only)) addCommand(ctx, groupFor, spec, setExitCode, words);
  return program;
}

function addCommand(ctx: Ctx, groupFor: (path: string) => Command, spec: CommandSpec, setExitCode: (code: number) => void, typed: readonly string[]): void {
  const words = spec.name.split(' ');
  const groupPath = words.slice(0, -1).join(' ');
  const parent = groupFor(groupPath);
  const cmd = rememberPath(parent.command(words[words.length - 1], { isDefault: spec.isDefault, hidden: spec.hidden }), spec.name);
  // A default command (dcos node = dcos node list) also receives every unknown word after its
  // group: `dcos node show` must read as an unknown command, not as an argument of list.
  cmd.description(spec.description).allowExcessArguments(Boolean(spec.isDefault));
  if (spec.isDefault) {
    cmd.hook('preAction', (_this, action) => {
      const accepted = (spec.args ?? []).length;
      if (action.args.length <= accepted) return;
      const explicit = typed[words.length - 1] === words[words.length - 1];
      if (explicit) {
        throw new UsageError(`Too many arguments for '${words[words.length - 1]}'. Expected ${accepted} argument${accepted === 1 ? '' : 's'} but got ${action.args.length}.`, {
          hint: `Run "dcos ${spec.name} --help" for usage.`,
        });
      }
      const word = String(action.args[0]);
      throw new UsageError(`Unknown command '${word}' for 'dcos ${groupPath}'`, {
        hint: didYouMean(word, parent.commands.map((c) => c.name())) ?? `Run "dcos ${groupPath} --help" for the commands.`,
      });
    });
  }
  for (const arg of spec.args ?? []) {
    const name = arg.variadic ? `${arg.name}...` : arg.name;
    cmd.argument(arg.required ? `<${name}>` : `[${name}]`, arg.description);
  }
  for (const opt of spec.options ?? []) cmd.addOption(toOption(opt));
  if (spec.json) cmd.option('--json', 'Print JSON');
  if (spec.examples?.length) {
    cmd.addHelpText('after', `\nExamples:\n${spec.examples.map((e) => `  $ ${e}`).join('\n')}\n`);
  }
  cmd.action(async function (this: Command) {
    const mod = await spec.load();
    // --json is a global option (the program consumes it wherever it stands): commands read it here.
    const options = ctx.global.json ? { ...this.opts(), json: true } : this.opts();
    // The one boundary where commander's values become a command's typed arguments and flags: the
    // spec (required, optional and variadic ArgSpecs; OptionSpec parsers and defaults) is what makes
    // them match the tuple and the XFlags interface the command declares (see CommandModule).
    const run = mod.run as CommanderRun;
    const code = await run(ctx, this.processedArgs, options);
    setExitCode(code ?? ExitCode.ok);
  });
}

/** A command's run as commander calls it: processed arguments and option values, untyped. */
type CommanderRun = (ctx: Ctx, args: readonly unknown[], options: Record<string, unknown>) => Promise<number | void>;

function toOption(spec: OptionSpec): Option {
  const option = new Option(spec.flags, spec.description);
  const flag = option.long ?? spec.flags;
  if (spec.choices) option.choices(spec.choices);
  if (spec.hidden) option.hideHelp();
  if (spec.duration) {
    // Parsed by commander, so a bad value is a usage error before the command does anything.
    option.argParser((value: string) => parseDuration(value, flag));
    if (typeof spec.default === 'string') option.default(parseDuration(spec.default, flag), spec.default);
  } else if (spec.default !== undefined) option.default(spec.default);
  if (spec.integer) {
    option.argParser((value: string) => {
      if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a non-negative integer.`);
      return Number(value);
    });
  }
  if (spec.appId) {
    option.argParser((value: string) => {
      if (value.trim() === '') throw new UsageError(`${flag} must not be empty`, { hint: APP_ID_RULE });
      const problem = appIdProblem(value);
      if (problem) throw new UsageError(`Invalid app id "${value}" for ${flag}: ${problem}`, { hint: APP_ID_RULE });
      return value;
    });
  }
  if (spec.repeatable) option.argParser((value: string, prev: string[] | undefined) => [...(prev ?? []), value]);
  return option;
}

/**
 * The help of every command and group, keyed by its words ("" for dcos itself). The build writes
 * it next to the bundle so bin/dcos.js can answer --help without loading the CLI.
 */
export function helpTexts(): { texts: Record<string, string>; runnableGroups: string[] } {
  let captured = '';
  const sink = { write: (s: string) => ((captured += s), true) };
  const ctx = createCtx({ stdout: sink, stderr: sink, stdin: process.stdin, env: {}, cwd: '/' });
  const program = buildProgram(ctx, () => undefined);
  const texts: Record<string, string> = {};
  const walk = (cmd: Command, path: string[]) => {
    captured = '';
    cmd.outputHelp();
    texts[path.join(' ')] = captured;
    for (const sub of cmd.commands) walk(sub, [...path, sub.name()]);
  };
  walk(program, []);
  // Groups whose bare form runs a default command (dcos task = dcos task list): not help.
  const runnableGroups = COMMANDS.filter((c) => c.isDefault).map((c) => c.name.slice(0, c.name.lastIndexOf(' ')));
  return { texts, runnableGroups };
}
