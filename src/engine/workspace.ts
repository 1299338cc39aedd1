import { join, resolve } from 'node:path';

/**
 * Where things live. The cache directory can be moved (QUANTO_CACHE_DIR, or verify's
 * temporary cache) without changing any key: keys never contain absolute paths.
 */
/**
 * Where promotion records live in the workspace (promotions/<tier>/<id>/*.json): written by
 * `quanto promote`, read by promotion_status targets, and roots of garbage collection.
 */
export const PROMOTIONS_DIR = 'promotions';

export class Workspace {
  readonly root: string;
  readonly cacheDir: string;

  constructor(root: string, cacheDir?: string) {
    this.root = resolve(root);
    this.cacheDir = resolve(cacheDir ?? process.env.QUANTO_CACHE_DIR ?? join(this.root, 'cache'));
  }

  /**
   * The holdout ledger (see holdout-ledger.ts): in the workspace, not the cache, because it must
   * outlive cache wipes. QUANTO_HOLDOUT_LEDGER points it elsewhere (tests building the repository's
   * own workspace into a throwaway cache use it).
   */
  get holdoutLedgerFile(): string {
    return resolve(process.env.QUANTO_HOLDOUT_LEDGER ?? join(this.root, 'ledger', 'holdout.jsonl'));
  }

  /** Content-addressed blobs, by SHA-256. */
  get casDir(): string {
    return join(this.cacheDir, 'cas');
  }
  /** Action cache: action key → manifest. */
  get acDir(): string {
    return join(this.cacheDir, 'ac');
  }
  /** Stable human paths to the latest outputs of each target, like bazel-bin. */
  get outDir(): string {
    return join(this.cacheDir, 'out');
  }
  get logsDir(): string {
    return join(this.cacheDir, 'logs');
  }
  get stateDir(): string {
    return join(this.cacheDir, 'state');
  }
  get tmpDir(): string {
    return join(this.cacheDir, 'tmp');
  }
  /** Bundled rule modules, one file per source digest. */
  get rulesBundleDir(): string {
    return join(this.cacheDir, 'rules');
  }
  get locksDir(): string {
    return join(this.cacheDir, 'locks');
  }

  /** Concatenated, not joined: target names and partition paths are validated to be normal relative paths, and this runs per action on every build. */
  outPathOf(target: string, partitionPath: string | null): string {
    const base = `${this.cacheDir}/out/${target}`;
    return partitionPath ? `${base}/${partitionPath}` : base;
  }

  logPathOf(target: string, partitionPath: string | null): string {
    return join(this.logsDir, partitionPath ? `${target}/${partitionPath}.log` : `${target}.log`);
  }
}
