/**
 * An object store the remote cache reads and writes: flat keys to immutable bytes. The S3
 * implementation is the one in use; the interface keeps the cache logic testable without one
 * and lets another store (GCS, a directory) slot in.
 */
export interface RemoteStore {
  /** The object's bytes, or null when there is none. Transient failures throw after retries. */
  get(key: string): Promise<Buffer | null>;
  /** The object's size in bytes, or null when there is none. */
  size(key: string): Promise<number | null>;
  put(key: string, bytes: Buffer): Promise<void>;
  /** Where it points, for messages (no credentials). */
  readonly description: string;
  /** Which store this is, the same from every machine that shares it (s3://bucket/prefix): distributed queues are per store. */
  readonly id: string;
  close(): void;
}
