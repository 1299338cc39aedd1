import { hasRedisServer as detect } from '../../src/devservers/local-redis.js';

export { startRedisServer } from '../../src/devservers/local-redis.js';
export const hasRedisServer = detect();
if (!hasRedisServer)
  console.warn(
    'distributed-execution tests skipped: redis-server is missing (apt-get install redis-server; .ci/run installs it)',
  );
