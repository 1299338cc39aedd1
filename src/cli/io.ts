import { redact } from '../secrets/redact.js';

/** Where a command writes; tests pass collectors, the binary passes the process streams. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** Working directory the workspace is searched from. */
  cwd: string;
  isTTY: boolean;
}

export function processIO(): CliIO {
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    cwd: process.cwd(),
    isTTY: Boolean(process.stdout.isTTY),
  };
}

/**
 * The same IO with every known secret masked in what it writes: the last line of defence for
 * whatever a command prints (an internal error carrying a broker's echo of our headers, say).
 */
export function redactingIO(io: CliIO): CliIO {
  return { ...io, out: (t) => io.out(redact(t)), err: (t) => io.err(redact(t)) };
}
