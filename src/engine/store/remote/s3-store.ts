import type { S3Client } from '@aws-sdk/client-s3';
import { ConfigError } from '../../errors.js';
import type { RemoteCacheSettings } from './remote-cache-config.js';
import type { RemoteStore } from './remote-store.js';

/** The S3 error names that mean "no such object", across AWS, MinIO and smaller servers. */
const MISSING = new Set(['NoSuchKey', 'NotFound', 'NoSuchObject']);

function isMissing(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return MISSING.has(e.name ?? '') || e.$metadata?.httpStatusCode === 404;
}

/**
 * A RemoteStore on any S3-compatible service through @aws-sdk/client-s3: a configurable
 * endpoint and path-style addressing for MinIO, Ceph and test servers; the SDK's retries with
 * backoff (max_attempts) and a per-request timeout. Credentials come from the environment only
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, optional AWS_SESSION_TOKEN): never from files or
 * instance metadata, and never into a message.
 */
export class S3Store implements RemoteStore {
  private constructor(
    private readonly client: S3Client,
    private readonly sdk: typeof import('@aws-sdk/client-s3'),
    private readonly settings: RemoteCacheSettings,
  ) {}

  /** The SDK loads only when a remote cache is in use (it is large, and warns on old Node versions). */
  static async open(settings: RemoteCacheSettings, env: NodeJS.ProcessEnv = process.env): Promise<S3Store> {
    const accessKeyId = env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey)
      throw new ConfigError(
        `remote cache ${settings.url}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment (credentials are read from nowhere else)`,
      );
    // The SDK warns on Node 20 that its releases after January 2027 will need Node 22. The
    // lockfile pins the release in use, so the warning is for the maintainers (who upgrade Node
    // with the lockfile), not for each command a user runs; a user may still ask for it with =false.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const sdk = await import('@aws-sdk/client-s3');
    const client = new sdk.S3Client({
      region: settings.region,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      forcePathStyle: settings.path_style,
      maxAttempts: settings.max_attempts,
      credentials: {
        accessKeyId,
        secretAccessKey,
        ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
      },
      requestHandler: { requestTimeout: settings.timeout_ms, connectionTimeout: Math.min(settings.timeout_ms, 10_000) },
    });
    return new S3Store(client, sdk, settings);
  }

  get id(): string {
    return `s3://${this.settings.bucket}/${this.settings.prefix}`;
  }

  get description(): string {
    return `${this.settings.url}${this.settings.endpoint ? ` at ${this.settings.endpoint}` : ''}`;
  }

  private objectKey(key: string): string {
    return this.settings.prefix ? `${this.settings.prefix}/${key}` : key;
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      const out = await this.client.send(
        new this.sdk.GetObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key) }),
      );
      if (!out.Body) return Buffer.alloc(0);
      return Buffer.from(await out.Body.transformToByteArray());
    } catch (err) {
      if (isMissing(err)) return null;
      throw new Error(`remote cache ${this.description}: GET ${key}: ${(err as Error).message}`);
    }
  }

  async size(key: string): Promise<number | null> {
    try {
      const out = await this.client.send(
        new this.sdk.HeadObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key) }),
      );
      return out.ContentLength ?? null;
    } catch (err) {
      if (isMissing(err)) return null;
      throw new Error(`remote cache ${this.description}: HEAD ${key}: ${(err as Error).message}`);
    }
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    try {
      await this.client.send(
        new this.sdk.PutObjectCommand({
          Bucket: this.settings.bucket,
          Key: this.objectKey(key),
          Body: bytes,
          ContentLength: bytes.length,
        }),
      );
    } catch (err) {
      throw new Error(`remote cache ${this.description}: PUT ${key}: ${(err as Error).message}`);
    }
  }

  close(): void {
    this.client.destroy();
  }
}
