import { z } from 'zod';
import { ConfigError } from '../../errors.js';

/**
 * The `remote_cache:` block of quanto.pipeline.yaml. Where the cache lives is not part of any
 * action key: the same key means the same bytes in every cache, local or remote. Credentials
 * are never here; they come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY only.
 */
export const remoteCacheSpecSchema = z
  .object({
    /** s3://bucket/prefix: blobs go under <prefix>/cas/, manifests under <prefix>/ac/. */
    url: z
      .string()
      .regex(
        /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/,
        'write s3://bucket/prefix (a valid bucket name, then an optional key prefix)',
      ),
    /** An S3-compatible endpoint (MinIO, Ceph, a local test server); omit it for AWS. */
    endpoint: z.string().url().optional(),
    region: z.string().default('us-east-1'),
    /** bucket in the path (http://host/bucket/key), as MinIO and most self-hosted stores want. */
    path_style: z.boolean().default(true),
    /** Upload what this machine builds (write-behind); off for read-only laptops. */
    upload: z.boolean().default(true),
    /** Transfers at once, up and down. */
    concurrency: z.number().int().min(1).max(256).default(8),
    /** Attempts per request, with the SDK's backoff between them. */
    max_attempts: z.number().int().min(1).max(20).default(4),
    /** Per-request timeout. */
    timeout_ms: z.number().int().min(100).default(30_000),
  })
  .strict();

export type RemoteCacheSpec = z.output<typeof remoteCacheSpecSchema>;

export interface RemoteCacheSettings extends RemoteCacheSpec {
  bucket: string;
  /** Key prefix without a trailing slash ('' for the bucket's root). */
  prefix: string;
}

/** What the command line says about the remote cache. */
export interface RemoteCacheFlags {
  /** --remote-cache URL: use this store (overrides the pipeline and the environment). */
  remoteCache?: string;
  /** --no-remote-upload sets this false: read from the remote, never write to it. */
  remoteUpload?: boolean;
}

/**
 * The remote cache in effect, or null for none: the pipeline's block, then the environment
 * (QUANTO_REMOTE_CACHE, QUANTO_REMOTE_CACHE_ENDPOINT, QUANTO_REMOTE_CACHE_UPLOAD=0), then the
 * flags, each overriding the one before. QUANTO_REMOTE_CACHE=off turns a configured one off.
 */
export function resolveRemoteCache(
  spec: RemoteCacheSpec | undefined,
  env: NodeJS.ProcessEnv,
  flags: RemoteCacheFlags,
): RemoteCacheSettings | null {
  const url = flags.remoteCache ?? env.QUANTO_REMOTE_CACHE ?? spec?.url;
  if (!url || url === 'off') return null;
  const merged = remoteCacheSpecSchema.safeParse({
    ...(spec ?? {}),
    url,
    ...(env.QUANTO_REMOTE_CACHE_ENDPOINT ? { endpoint: env.QUANTO_REMOTE_CACHE_ENDPOINT } : {}),
    ...(env.QUANTO_REMOTE_CACHE_UPLOAD !== undefined
      ? { upload: !['0', 'false', 'no', 'off'].includes(env.QUANTO_REMOTE_CACHE_UPLOAD) }
      : {}),
    ...(flags.remoteUpload === false ? { upload: false } : {}),
  });
  if (!merged.success) {
    throw new ConfigError(
      `remote cache: ${merged.error.issues.map((i) => `${i.path.join('.') || 'remote_cache'}: ${i.message}`).join('; ')} (from ${flags.remoteCache ? '--remote-cache' : env.QUANTO_REMOTE_CACHE ? 'QUANTO_REMOTE_CACHE' : 'remote_cache: in quanto.pipeline.yaml'})`,
    );
  }
  const rest = merged.data.url.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
  return { ...merged.data, bucket, prefix };
}
