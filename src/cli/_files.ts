// File reading and writing for CLI commands, with errors that name the path and say why.

function reason(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "no such file";
  if (e instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (e instanceof Deno.errors.NotCapable) {
    return "not allowed (run with --allow-read/--allow-write)";
  }
  if (e instanceof Deno.errors.IsADirectory) return "it is a directory";
  return e instanceof Error ? e.message : String(e);
}

/** Read a whole file; the error says `Cannot read <path>: <why>`. */
export async function readInput(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    throw new Error(`Cannot read ${path}: ${reason(e)}`, { cause: e });
  }
}

/** Write a whole file; the error says `Cannot write <path>: <why>`. */
export async function writeOutput(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await Deno.writeFile(path, bytes);
  } catch (e) {
    throw new Error(`Cannot write ${path}: ${reason(e)}`, { cause: e });
  }
}
