/**
 * A faithful in-memory fake of the parts of the `vscode` API the extension uses. Vitest aliases `vscode` to this file.
 * It copies VS Code's observable behaviour where the extension depends on it: documents have real offsets and a
 * version that grows with every edit, `workspace.applyEdit` fails when the document changed between the extension
 * reading it and the edit arriving (VS Code's "model changed in the meantime"), kinds follow HierarchicalKind, and
 * configuration defaults come from the extension's own package.json. Test-only controls live under `fake`.
 */
export * from './base';
export * from './context';
export * from './data-transfer';
export * from './documents';
export * from './driver';
export * from './languages';
export * from './window';
export * from './workspace';
