import { describe, expect, it } from 'vitest';
import { remoteCacheSpecSchema, resolveRemoteCache } from '../../src/engine/store/remote/remote-cache-config.js';

const spec = remoteCacheSpecSchema.parse({
  url: 's3://team-cache/quanto/',
  endpoint: 'http://minio:9000',
  concurrency: 4,
});

describe('remote cache settings', () => {
  it('none unless configured; the pipeline, then the environment, then the flags', () => {
    expect(resolveRemoteCache(undefined, {}, {})).toBeNull();
    expect(resolveRemoteCache(spec, {}, {})).toMatchObject({
      bucket: 'team-cache',
      prefix: 'quanto',
      endpoint: 'http://minio:9000',
      concurrency: 4,
      upload: true,
      path_style: true,
    });
    expect(
      resolveRemoteCache(spec, { QUANTO_REMOTE_CACHE: 's3://other/x/y', QUANTO_REMOTE_CACHE_UPLOAD: '0' }, {}),
    ).toMatchObject({ bucket: 'other', prefix: 'x/y', upload: false, endpoint: 'http://minio:9000' });
    expect(
      resolveRemoteCache(
        spec,
        { QUANTO_REMOTE_CACHE: 's3://other/x' },
        { remoteCache: 's3://flagged', remoteUpload: false },
      ),
    ).toMatchObject({ bucket: 'flagged', prefix: '', upload: false });
    expect(
      resolveRemoteCache(
        undefined,
        { QUANTO_REMOTE_CACHE_ENDPOINT: 'http://127.0.0.1:1' },
        { remoteCache: 's3://bk1/p' },
      ),
    ).toMatchObject({ endpoint: 'http://127.0.0.1:1' });
  });

  it('QUANTO_REMOTE_CACHE=off turns a configured cache off; a bad URL is a usage error naming where it came from', () => {
    expect(resolveRemoteCache(spec, { QUANTO_REMOTE_CACHE: 'off' }, {})).toBeNull();
    expect(() => resolveRemoteCache(undefined, { QUANTO_REMOTE_CACHE: 'gs://bucket' }, {})).toThrow(
      /url: write s3:\/\/bucket\/prefix.*QUANTO_REMOTE_CACHE/,
    );
    expect(() => resolveRemoteCache(undefined, {}, { remoteCache: 's3://Bad_Bucket' })).toThrow(/--remote-cache/);
  });

  it('rejects unknown keys in the pipeline block', () => {
    expect(remoteCacheSpecSchema.safeParse({ url: 's3://bk1', secret_access_key: 'x' }).success).toBe(false);
  });
});
