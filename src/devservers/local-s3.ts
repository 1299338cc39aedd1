import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

/** s3rver's fixed test credentials. */
export const S3_TEST_KEYS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

/**
 * An S3-compatible server on loopback for tests and benchmarks (s3rver, files in a temp
 * directory), with one bucket and a raw client to inspect or damage objects.
 */
export async function startS3Server(bucket = 'quanto-cache') {
  const directory = mkdtempSync(join(tmpdir(), 'quanto-s3-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port } = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: S3_TEST_KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: S3_TEST_KEYS.AWS_SECRET_ACCESS_KEY },
  });
  return {
    endpoint,
    bucket,
    async keys(prefix = ''): Promise<string[]> {
      const out: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const o of page.Contents ?? []) out.push(o.Key!);
        token = page.NextContinuationToken;
      } while (token);
      return out.sort();
    },
    async get(key: string): Promise<Buffer> {
      const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await r.Body!.transformToByteArray());
    },
    async put(key: string, bytes: Buffer | string): Promise<void> {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: typeof bytes === 'string' ? Buffer.from(bytes) : bytes,
        }),
      );
    },
    async close(): Promise<void> {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
