import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';

/**
 * A target's srcs may name files, or a glob whose `*` wildcards are in the last path segment
 * only (`promotions/candidate/core_v1_ppo/*.json`): the matching regular files, which may be
 * none. Like Bazel's glob(), the set is part of the key, so a file appearing or going away
 * changes it. Used where the files exist only after something outside the build happened (a
 * promotion record).
 */
export function isSrcGlob(src: string): boolean {
  return src.includes('*');
}

/** Why a src glob is not one the engine supports, or undefined when it is fine. */
export function srcGlobProblem(src: string): string | undefined {
  if (!isSrcGlob(src)) return undefined;
  return posix.dirname(src).includes('*')
    ? `'${src}': a wildcard may appear in the file name only, not in a directory`
    : undefined;
}

/** The workspace-relative files a src entry names (a plain path names itself), sorted. */
export function expandSrc(root: string, src: string): string[] {
  if (!isSrcGlob(src)) return [src];
  const dir = posix.dirname(src);
  const pattern = new RegExp(
    `^${posix
      .basename(src)
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replaceAll('*', '[^/]*')}$`,
  );
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs)
    .filter((name) => pattern.test(name) && !name.includes('.tmp-') && statSync(join(abs, name)).isFile())
    .sort()
    .map((name) => (dir === '.' ? name : `${dir}/${name}`));
}

/** Every file a target's srcs name, sorted and without repeats. */
export function expandSrcs(root: string, srcs: readonly string[]): string[] {
  return [...new Set(srcs.flatMap((s) => expandSrc(root, s)))].sort();
}
