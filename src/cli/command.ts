/**
 * The CLI framework: a table of commands, each with its own options (parsed by
 * `node:util` `parseArgs`) and `--help`; global `--quiet`, `--debug`, `--version`;
 * errors as one readable line on stderr; exit codes 0 (ok), 1 (failed), 2 (usage).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { ProgressReporter } from "./progress.ts";

/** Exit code for success. */
export const EXIT_OK = 0;
/** Exit code for a command that failed (bad input file, I/O, processing). */
export const EXIT_FAILURE = 1;
/** Exit code for a usage error (unknown command or option, missing argument). */
export const EXIT_USAGE = 2;

/** One option of a command. */
export interface OptionSpec {
  /** `"string"` takes a value, `"boolean"` is a flag. */
  type: "string" | "boolean";
  /** One-letter alias. */
  short?: string;
  /** Name of the value in help (`--out <path>`). */
  valueName?: string;
  /** One line of help. */
  help: string;
  /** Allowed values (checked; listed in help). */
  choices?: readonly string[];
  /** The option must be given. */
  required?: boolean;
}

/** One positional argument of a command. */
export interface PositionalSpec {
  /** Name shown in usage, e.g. `in.wav`. */
  name: string;
  /** One line of help. */
  help: string;
  /** May be left out. */
  optional?: boolean;
}

/** Parsed arguments handed to a command. */
export interface CommandArgs {
  /** Option values by long name (strings or booleans), absent when not given. */
  values: Record<string, string | boolean | undefined>;
  /** Positional arguments in order. */
  positionals: string[];
}

/** Where a command writes, and what it knows about the session. */
export interface CliIo {
  /** Write text to stdout. */
  stdout(text: string): void;
  /** Write text to stderr. */
  stderr(text: string): void;
  /** Whether stderr is a terminal (progress is shown only then). */
  stderrIsTerminal(): boolean;
}

/** What a command's `run` gets besides its arguments. */
export interface CliContext extends CliIo {
  /** `--quiet`: no progress, no summaries. */
  quiet: boolean;
  /** `--debug`: stack traces on errors. */
  debug: boolean;
  /**
   * A progress reporter for `totalSeconds` of audio, drawing on stderr only when it is a
   * terminal and `--quiet` is off (otherwise it does nothing).
   */
  progress(totalSeconds: number, label?: string): ProgressReporter;
}

/** A command of the CLI. */
export interface Command {
  /** Name typed on the command line. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** More text for `--help` (optional). */
  description?: string;
  /** Positional arguments. */
  positionals: readonly PositionalSpec[];
  /** Options (besides the global `--help`, `--quiet`, `--debug`). */
  options: Readonly<Record<string, OptionSpec>>;
  /** Examples for `--help`, full command lines. */
  examples?: readonly string[];
  /** Do the work; return an exit code (default 0) or throw. */
  run(args: CommandArgs, ctx: CliContext): number | void | Promise<number | void>;
}

/** A usage error: printed with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  /** The command it concerns, if any. */
  readonly command: string | undefined;

  /**
   * Create the error.
   *
   * @param message What is wrong with the command line.
   * @param command The command it concerns.
   */
  constructor(message: string, command?: string) {
    super(message);
    this.name = "UsageError";
    this.command = command;
  }
}

/** Description of the program for the top-level help. */
export interface ProgramInfo {
  /** Program name as typed. */
  name: string;
  /** Version string. */
  version: string;
  /** One line about the program. */
  summary: string;
}

const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  help: { type: "boolean", short: "h", help: "Show help" },
  quiet: { type: "boolean", short: "q", help: "No progress or summaries" },
  debug: { type: "boolean", help: "Show stack traces on errors" },
};

function optionLabel(name: string, spec: OptionSpec): string {
  const short = spec.short ? `-${spec.short}, ` : "    ";
  const value = spec.type === "string"
    ? ` <${spec.valueName ?? (spec.choices ? spec.choices.join("|") : "value")}>`
    : "";
  return `${short}--${name}${value}`;
}

function table(rows: Array<[string, string]>, indent = "  "): string {
  const width = Math.max(0, ...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `${indent}${a.padEnd(width)}  ${b}`.trimEnd()).join("\n");
}

function usageLine(program: string, cmd: Command): string {
  const pos = cmd.positionals.map((p) => (p.optional ? `[${p.name}]` : `<${p.name}>`));
  const req = Object.entries(cmd.options)
    .filter(([, s]) => s.required)
    .map(([n, s]) => `--${n}${s.type === "string" ? ` <${s.valueName ?? "value"}>` : ""}`);
  return [program, cmd.name, ...pos, ...req, "[options]"].join(" ");
}

/**
 * The `--help` text of one command.
 *
 * @param program The program name.
 * @param cmd The command.
 * @returns The help text (ends with a newline).
 */
export function commandHelp(program: string, cmd: Command): string {
  const parts = [`Usage: ${usageLine(program, cmd)}`, "", cmd.summary];
  if (cmd.description) parts.push("", cmd.description);
  if (cmd.positionals.length > 0) {
    parts.push("", "Arguments:", table(cmd.positionals.map((p) => [p.name, p.help])));
  }
  const opts = { ...cmd.options, ...GLOBAL_OPTIONS };
  parts.push(
    "",
    "Options:",
    table(
      Object.entries(opts).map(([n, s]) => [
        optionLabel(n, s),
        s.help + (s.choices && s.type === "string" ? ` (${s.choices.join(", ")})` : ""),
      ]),
    ),
  );
  if (cmd.examples?.length) {
    parts.push("", "Examples:", ...cmd.examples.map((e) => `  ${e}`));
  }
  return parts.join("\n") + "\n";
}

/**
 * The top-level help text: usage, the command list and the global options.
 *
 * @param info Program name, version and summary.
 * @param commands The command table.
 * @returns The help text (ends with a newline).
 */
export function programHelp(info: ProgramInfo, commands: readonly Command[]): string {
  return [
    `Usage: ${info.name} <command> [options]`,
    "",
    `${info.summary} (version ${info.version})`,
    "",
    "Commands:",
    table(commands.map((c) => [c.name, c.summary])),
    "",
    "Global options:",
    table([
      ["-h, --help", `Show help; after a command, that command's help`],
      ["-q, --quiet", "No progress or summaries"],
      ["    --debug", "Show stack traces on errors"],
      ["-V, --version", "Print the version"],
    ]),
    "",
    `Exit codes: 0 ok, 1 the command failed, 2 usage error. Run '${info.name} <command> --help'.`,
  ].join("\n") + "\n";
}

/** An error as one readable line: newlines folded, the class name only when it helps. */
export function oneLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const lines = text.split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== "");
  const flat = lines.reduce(
    (acc, l) => (acc === "" ? l : `${acc}${acc.endsWith(":") ? " " : "; "}${l}`),
    "",
  );
  if (
    e instanceof Error && e.name &&
    !["Error", "TypeError", "RangeError", "UsageError"].includes(e.name)
  ) {
    return `${e.name}: ${flat}`;
  }
  return flat;
}

function parseCommandArgs(
  cmd: Command,
  argv: string[],
): CommandArgs & { globals: { help: boolean; quiet: boolean; debug: boolean } } {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const [name, spec] of Object.entries({ ...cmd.options, ...GLOBAL_OPTIONS })) {
    options[name] = spec.short ? { type: spec.type, short: spec.short } : { type: spec.type };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message.split("\n")[0]! : String(e), cmd.name);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const globals = {
    help: values.help === true,
    quiet: values.quiet === true,
    debug: values.debug === true,
  };
  delete values.help;
  delete values.quiet;
  delete values.debug;
  return { values, positionals: parsed.positionals, globals };
}

function validate(cmd: Command, args: CommandArgs): void {
  const required = cmd.positionals.filter((p) => !p.optional).length;
  if (args.positionals.length < required) {
    const missing = cmd.positionals.slice(args.positionals.length, required).map((p) =>
      `<${p.name}>`
    );
    throw new UsageError(`missing argument ${missing.join(" ")}`, cmd.name);
  }
  if (args.positionals.length > cmd.positionals.length) {
    const extra = args.positionals.slice(cmd.positionals.length);
    throw new UsageError(`unexpected argument ${extra.map((a) => `'${a}'`).join(" ")}`, cmd.name);
  }
  for (const [name, spec] of Object.entries(cmd.options)) {
    const v = args.values[name];
    if (spec.required && v === undefined) {
      throw new UsageError(`missing option --${name}`, cmd.name);
    }
    if (spec.choices && typeof v === "string" && !spec.choices.includes(v)) {
      throw new UsageError(
        `--${name} '${v}' is not one of ${spec.choices.join(", ")}`,
        cmd.name,
      );
    }
  }
}

/** The process's own stdout/stderr (synchronous writes, so nothing is lost at exit). */
export function processIo(): CliIo {
  const enc = new TextEncoder();
  const writeAll = (file: typeof Deno.stdout, text: string) => {
    const bytes = enc.encode(text);
    let off = 0;
    while (off < bytes.length) off += file.writeSync(bytes.subarray(off));
  };
  return {
    stdout: (t) => writeAll(Deno.stdout, t),
    stderr: (t) => writeAll(Deno.stderr, t),
    stderrIsTerminal: () => Deno.stderr.isTerminal(),
  };
}

/**
 * Run the CLI: pick the command, parse its options, run it, and turn every error into
 * one line on stderr (with the stack under `--debug`).
 *
 * @param argv Arguments after the program name.
 * @param commands The command table.
 * @param info Program name, version and summary.
 * @param io Where to write (the process's stdout/stderr by default).
 * @returns The exit code: 0 ok, 1 failed, 2 usage error.
 *
 * @example
 * ```ts ignore
 * Deno.exit(await runCli(Deno.args, commands, { name: "remotemedia", version, summary }));
 * ```
 */
export async function runCli(
  argv: readonly string[],
  commands: readonly Command[],
  info: ProgramInfo,
  io: CliIo = processIo(),
): Promise<number> {
  let debug = argv.includes("--debug");
  let cmd: Command | undefined;
  try {
    const first = argv.findIndex((a) => !a.startsWith("-"));
    const globals = first < 0 ? [...argv] : argv.slice(0, first);
    for (const g of globals) {
      if (!["-h", "--help", "-q", "--quiet", "--debug", "-V", "--version"].includes(g)) {
        throw new UsageError(`unknown option '${g}' before the command`);
      }
    }
    if (globals.includes("-V") || globals.includes("--version")) {
      io.stdout(`${info.name} ${info.version}\n`);
      return EXIT_OK;
    }
    if (first < 0) {
      if (globals.includes("-h") || globals.includes("--help")) {
        io.stdout(programHelp(info, commands));
        return EXIT_OK;
      }
      io.stderr(programHelp(info, commands));
      return EXIT_USAGE;
    }
    const name = argv[first]!;
    if (name === "help") {
      const target = commands.find((c) => c.name === argv[first + 1]);
      io.stdout(target ? commandHelp(info.name, target) : programHelp(info, commands));
      return EXIT_OK;
    }
    cmd = commands.find((c) => c.name === name);
    if (cmd === undefined) {
      throw new UsageError(
        `unknown command '${name}'; commands: ${commands.map((c) => c.name).join(", ")}`,
      );
    }
    const parsed = parseCommandArgs(cmd, argv.slice(first + 1));
    const quiet = parsed.globals.quiet || globals.includes("-q") || globals.includes("--quiet");
    debug ||= parsed.globals.debug;
    if (parsed.globals.help || globals.includes("-h") || globals.includes("--help")) {
      io.stdout(commandHelp(info.name, cmd));
      return EXIT_OK;
    }
    validate(cmd, parsed);
    const ctx: CliContext = {
      ...io,
      quiet,
      debug,
      progress: (totalSeconds, label) =>
        new ProgressReporter({
          totalSeconds,
          label,
          enabled: !quiet && io.stderrIsTerminal(),
          write: io.stderr,
        }),
    };
    const code = await cmd.run({ values: parsed.values, positionals: parsed.positionals }, ctx);
    return code ?? EXIT_OK;
  } catch (e) {
    // A reader that went away (`... | head`) is not an error of the command.
    if (e instanceof Deno.errors.BrokenPipe) return EXIT_OK;
    const prefix = cmd ? `${info.name} ${cmd.name}` : info.name;
    io.stderr(`${prefix}: error: ${oneLine(e)}\n`);
    if (e instanceof UsageError) {
      const helpCmd = e.command ? `${info.name} ${e.command} --help` : `${info.name} --help`;
      io.stderr(`Run '${helpCmd}' for usage.\n`);
      return EXIT_USAGE;
    }
    if (debug && e instanceof Error && e.stack) io.stderr(`${e.stack}\n`);
    return EXIT_FAILURE;
  }
}
