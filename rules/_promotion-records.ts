import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The promotion record files among a target's srcs: those in the directory of its `promotions` glob, with their bytes. */
export function promotionRecordFiles(srcs: Readonly<Record<string, string>>, glob: string): { file: string; bytes: Buffer }[] {
  const dir = dirname(glob);
  return Object.entries(srcs)
    .filter(([path]) => dirname(path) === dir)
    .map(([file, abs]) => ({ file, bytes: readFileSync(abs) }));
}
