// piscina's entry for Quanto's workers. piscina loads its worker file with require() first;
// on Node 20.19+ require() of an ES module is allowed but experimental, and loading our ESM
// worker that way has been seen to abort the process (V8 "IsGraphAsync" fatal error). This
// CommonJS shim is what piscina requires; it loads the real worker with import().
'use strict';
const { pathToFileURL } = require('node:url');
const { join } = require('node:path');

let loaded;
module.exports = async function runTask(task) {
  loaded ??= import(
    pathToFileURL(join(__dirname, '..', '..', '..', 'dist', 'src', 'engine', 'scheduling', 'worker.js')).href
  );
  return (await loaded).default(task);
};
