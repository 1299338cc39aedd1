import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

/**
 * The one redaction layer. Every secret the process can hold comes from the environment (API
 * keys of vendors and brokers, the remote cache's credentials) or from a URL a person typed (a
 * Redis password); none may reach a console line, a log, a manifest, decisions.json or a blob.
 * A vendor or proxy that echoes request headers in an error body is the case this exists for:
 * the secret then arrives inside text nobody on this side wrote.
 *
 * Shared by the engine, the domain libraries and the CLI, and imports nothing of theirs.
 */

/** Environment variables the product reads credentials from. */
export const SECRET_ENV_NAMES = [
  'POLYGON_API_KEY',
  'POLYGON_S3_ACCESS_KEY_ID',
  'POLYGON_S3_SECRET_ACCESS_KEY',
  'APCA_API_KEY_ID',
  'APCA_API_SECRET_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'REDIS_PASSWORD',
] as const;

// Any other variable named like a credential is treated as one too: a user's own rule may read it.
const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIAL)/i;

// Shorter values could be ordinary words and numbers in the data, and masking them would change
// outputs; vendors' keys are 20 to 40 characters.
const MIN_SECRET_LENGTH = 8;

const registered = new Map<string, string>();

/** Adds a secret that did not come from the environment (a password inside a URL), under a name for the mask. */
export function registerSecret(name: string, value: string | undefined): void {
  if (value && value.length >= MIN_SECRET_LENGTH) registered.set(value, name);
}

interface Needle {
  name: string;
  /** The value, and the forms it takes inside a URL or a JSON string when those differ. */
  forms: string[];
}

let cache: { env: string; needles: Needle[] } | undefined;

/** The secrets known now: the environment is read each time (a test or a command may set a key late), memoised on its content. */
function needles(): Needle[] {
  const found = new Map<string, string>(registered);
  for (const [name, value] of Object.entries(process.env)) {
    if (!value || value.length < MIN_SECRET_LENGTH) continue;
    if ((SECRET_ENV_NAMES as readonly string[]).includes(name) || SECRET_NAME.test(name))
      if (!found.has(value)) found.set(value, name);
  }
  const signature = [...found.entries()].map(([v, n]) => `${n}=${v}`).join('\u0000');
  if (cache?.env === signature) return cache.needles;
  // Longest first, so a secret that contains another is masked whole.
  const list = [...found.entries()]
    .sort(([a], [b]) => b.length - a.length || (a < b ? -1 : 1))
    .map(([value, name]) => ({
      name,
      forms: [...new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)])],
    }));
  cache = { env: signature, needles: list };
  return list;
}

export function hasSecrets(): boolean {
  return needles().length > 0;
}

function maskOf(name: string): string {
  return `[redacted ${name}]`;
}

/** The text with every known secret replaced by `[redacted NAME]`. */
export function redact(text: string): string {
  const list = needles();
  if (list.length === 0) return text;
  let out = text;
  for (const n of list) for (const form of n.forms) if (out.includes(form)) out = out.split(form).join(maskOf(n.name));
  return out;
}

/** An error's message (and stack) redacted, for the places that print or store errors. */
export function redactError(err: unknown): string {
  return redact(err instanceof Error ? err.message : String(err));
}

/**
 * Masks every secret inside a file in place, byte for byte with '*', so the file keeps its
 * length and a binary format (Parquet) stays readable. Reads in chunks that overlap by the
 * longest secret, so one split across two reads is still found. Returns how many were masked.
 */
export function maskSecretsInFile(path: string): number {
  const list = needles();
  if (list.length === 0) return 0;
  const forms = list.flatMap((n) => n.forms.map((f) => Buffer.from(f, 'utf8')));
  const longest = Math.max(...forms.map((f) => f.length));
  const chunk = Math.max(1 << 20, 4 * longest);
  const buffer = Buffer.allocUnsafe(chunk + longest);
  const fd = openSync(path, 'r+');
  let masked = 0;
  try {
    const size = fstatSync(fd).size;
    for (let start = 0; start < size; start += chunk) {
      const n = readSync(fd, buffer, 0, Math.min(chunk + longest, size - start), start);
      const view = buffer.subarray(0, n);
      for (const form of forms) {
        for (let at = view.indexOf(form); at !== -1; at = view.indexOf(form, at + form.length)) {
          // A match that begins in the overlap belongs to the next chunk, which reads it whole.
          if (at >= chunk) break;
          writeSync(fd, Buffer.alloc(form.length, '*'), 0, form.length, start + at);
          view.fill('*', at, at + form.length);
          masked += 1;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return masked;
}
