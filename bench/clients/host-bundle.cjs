/**
 * Evaluates an Obsidian or VS Code bundle in plain Node, to time its import: usage `node host-bundle.cjs <file>`.
 * Both apps load their plugin as CommonJS whatever the package's "type" says, so the file is compiled as CommonJS
 * here too. `obsidian` and `vscode` exist only inside the apps: both resolve to a stand-in where every property,
 * call and `new` gives another stand-in (so `class X extends Plugin` and `Kind.Empty.append('x')` at the top level
 * evaluate). Only module evaluation runs; nothing of the host API does anything.
 */
const Module = require('node:module');
const { readFileSync } = require('node:fs');
const { dirname, resolve } = require('node:path');

const HOST_MODULES = new Set(['obsidian', 'vscode']);
const standIn = () =>
  new Proxy(function hostApi() {}, {
    get: (_, name) => (name === '__esModule' ? false : name === Symbol.toPrimitive ? () => '' : standIn()),
    // esbuild's __toESM copies own keys onto an object whose prototype is the module's: answer through the chain.
    getPrototypeOf: () => standIn(),
    apply: () => standIn(),
    construct: () => standIn(),
  });
const stub = standIn();
const load = Module._load;
Module._load = function loadWithHostStubs(request, ...rest) {
  if (HOST_MODULES.has(request)) return stub;
  return load.call(this, request, ...rest);
};

const file = resolve(process.argv[2]);
const bundle = new Module(file, module);
bundle.filename = file;
bundle.paths = Module._nodeModulePaths(dirname(file));
bundle._compile(readFileSync(file, 'utf8'), file);
