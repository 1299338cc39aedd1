import { existsSync, readFileSync, rmSync } from 'node:fs';
import { z } from 'zod';

/** Where `quanto kill` leaves its order, relative to the workspace: running sessions poll it. */
export const KILL_FILE = 'ledger/KILL.json';

const killSchema = z.object({ reason: z.string().min(1), at: z.string(), by: z.string() }).strict();
export type KillOrder = z.infer<typeof killSchema>;

/** The kill order in a kill file, or null when there is none; a malformed file counts as a kill (fail safe). */
export function readKillFile(path: string): KillOrder | null {
  if (!existsSync(path)) return null;
  const parsed = killSchema.safeParse(
    (() => {
      try {
        return JSON.parse(readFileSync(path, 'utf8'));
      } catch {
        return null;
      }
    })(),
  );
  return parsed.success ? parsed.data : { reason: `unreadable kill file ${path}: treated as a kill`, at: '', by: '' };
}

/** A session's kill switch that reads the file each time it is asked. */
export function killSwitchFromFile(path: string): () => string | null {
  return () => readKillFile(path)?.reason ?? null;
}

export function clearKillFile(path: string): boolean {
  const had = existsSync(path);
  rmSync(path, { force: true });
  return had;
}
