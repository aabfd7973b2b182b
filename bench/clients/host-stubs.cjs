/**
 * Preload for timing the Obsidian and VS Code bundles' import in plain Node: `obsidian` and `vscode` exist only
 * inside their apps, so both resolve here to a stand-in whose every export is an empty class. Only module
 * evaluation is timed; nothing of the host API is called.
 */
const Module = require('node:module');

const HOST_MODULES = new Set(['obsidian', 'vscode']);
const stub = new Proxy({}, { get: (_, name) => (name === '__esModule' ? false : class {}) });
const load = Module._load;
Module._load = function loadWithHostStubs(request, ...rest) {
  if (HOST_MODULES.has(request)) return stub;
  return load.call(this, request, ...rest);
};
