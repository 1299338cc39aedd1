// Preloaded (NODE_OPTIONS=--require) into a quanto process and its worker threads by the README
// test: any outgoing connection is written to QUANTO_TEST_NETWORK_LOG and refused, so a default
// target that touches the network fails the test even when its request would have failed anyway.
const { appendFileSync } = require('node:fs');
const net = require('node:net');
const { isMainThread } = require('node:worker_threads');

net.Socket.prototype.connect = function blockedConnect(...args) {
  appendFileSync(
    process.env.QUANTO_TEST_NETWORK_LOG,
    `connect ${JSON.stringify(args[0])} (main thread: ${isMainThread})\n`,
  );
  throw new Error('network access is blocked in this test: default targets must never touch the network');
};
