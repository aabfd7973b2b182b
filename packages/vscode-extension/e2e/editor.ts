/**
 * Starts the real VS Code (code-server, installed by e2e/install.sh under <repo>/.cache) with a user-data-dir and
 * an extensions dir of its own, and drives it from Chromium through playwright-core.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const cache = process.env.BYTEDROP_CACHE ?? join(repo, '.cache');
export const NODE24 = join(cache, 'node24/node_modules/node/bin/node');
export const CODE_SERVER = join(cache, 'cs/node_modules/code-server/out/node/entry.js');
const extensionRoot = fileURLToPath(new URL('..', import.meta.url));

export function checkInstalled(): void {
  if (!existsSync(NODE24) || !existsSync(CODE_SERVER)) {
    throw new Error(
      `code-server is not installed under ${cache}: run 'sh packages/vscode-extension/e2e/install.sh'`,
    );
  }
}

/**
 * Builds the extension the way `pnpm build` does (esbuild, then vsce) into `dir`: the test never runs a stale .vsix.
 * It packages a copy of the files the .vsix ships (.vscodeignore's `!` lines) with its own bundle, so it never writes
 * the package's dist/ while another run (the unit tests' package.test.ts) builds or packs it.
 */
export function buildVsix(dir: string): string {
  const copy = join(dir, 'package');
  mkdirSync(copy);
  const ignore = readFileSync(join(extensionRoot, '.vscodeignore'), 'utf8');
  for (const file of ['.vscodeignore', ...ignore.split('\n').filter((line) => line.startsWith('!'))]) {
    const name = file.replace(/^!/, '');
    if (!name.startsWith('dist/')) copyFileSync(join(extensionRoot, name), join(copy, name));
  }
  const bundle = join(copy, 'dist/extension.js');
  execFileSync(process.execPath, ['esbuild.config.mjs', bundle], { cwd: extensionRoot, stdio: 'pipe' });
  const vsix = join(dir, 'bytedrop.vsix');
  const vsce = join(extensionRoot, 'node_modules/@vscode/vsce/vsce');
  execFileSync(
    process.execPath,
    [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '-o', vsix],
    {
      cwd: copy,
      stdio: 'pipe',
    },
  );
  return vsix;
}

/** Installs the .vsix into `extensions` with code-server, as a user's `--install-extension` does. */
export function installVsix(vsix: string, extensions: string): void {
  const install = spawnSync(
    NODE24,
    [CODE_SERVER, '--install-extension', vsix, '--extensions-dir', extensions],
    {
      encoding: 'utf8',
    },
  );
  if (install.status !== 0)
    throw new Error(`installing the .vsix failed:\n${install.stdout}\n${install.stderr}`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface Editor {
  page: Page;
  url: string;
  /** What code-server printed so far, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** Copies the installed extensions, writes the user settings, starts code-server on `workspace` and opens it in Chromium. */
export async function startEditor(options: {
  /** An extensions dir made by `installVsix`, copied for this editor (VS Code writes into its own). */
  extensions: string;
  dir: string;
  workspace: string;
  settings: Record<string, unknown>;
  env: Record<string, string>;
}): Promise<Editor> {
  const extensions = join(options.dir, 'extensions');
  const userData = join(options.dir, 'user-data');
  await mkdir(join(userData, 'User'), { recursive: true });
  await writeFile(join(userData, 'User/settings.json'), JSON.stringify(options.settings, null, 2));
  await cp(options.extensions, extensions, { recursive: true });
  // extensions.json names each extension's folder by its absolute path too: point it at the copy.
  const list = join(extensions, 'extensions.json');
  await writeFile(list, (await readFile(list, 'utf8')).replaceAll(options.extensions, extensions));

  const port = await freePort();
  // code-server's sockets (vscode-ipc-*.sock, vscode-git-*.sock) go to TMPDIR and stay after a kill: kept in the
  // session's folder, they go with it instead of piling up in /tmp.
  const tmp = join(options.dir, 'tmp');
  await mkdir(tmp, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, TMPDIR: tmp };
  delete env.AWS_CA_BUNDLE;
  const child: ChildProcess = spawn(
    NODE24,
    [
      CODE_SERVER,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--extensions-dir',
      extensions,
      '--user-data-dir',
      userData,
      options.workspace,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout?.on('data', (chunk) => {
    log += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    log += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || attempt > 300) {
      // Still running after the wait, it would go on writing into the session's folder once that is removed.
      await stopTree(child);
      throw new Error(`code-server did not start:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${url}/?folder=${encodeURIComponent(options.workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    const opened = browser;
    return {
      page,
      url,
      log: () => log,
      async stop() {
        await opened.close();
        await stopTree(child);
      },
    };
  } catch (error) {
    await browser?.close();
    await stopTree(child);
    throw new Error(`${(error as Error).message}\ncode-server log:\n${log}`);
  }
}

/** The pids under `root`, children first found through `ps`. */
function descendants(root: number): number[] {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((row) => row.trim().split(/\s+/).map(Number));
  const found: number[] = [];
  for (let i = -1; i < found.length; i++) {
    const parent = i < 0 ? root : found[i];
    for (const [pid, ppid] of rows) if (ppid === parent && pid !== undefined) found.push(pid);
  }
  return found;
}

/** Sends `name` to `pid`; false when there is no such process (any more). */
const signal = (pid: number, name: NodeJS.Signals | 0) => {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
};
const alive = (pid: number) => signal(pid, 0);

/**
 * Stops code-server and waits for every process it started: its extension host and language servers outlive it by
 * seconds and write into its TMPDIR as they exit, which would make the session's folder again once removed.
 */
async function stopTree(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null) return;
  const tree = [child.pid, ...descendants(child.pid)];
  child.kill();
  // Given 10 s to exit on their own, then killed; a zombie no one reaps stays "alive", so the wait ends at 15 s.
  for (let attempt = 0; attempt < 150 && tree.some(alive); attempt++) {
    if (attempt === 100) for (const pid of tree) signal(pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Runs a command from the command palette by its title. On a busy machine the workbench learns the extension's
 * contributions seconds after the window opens, and an open palette does not refresh: reopen it until the command
 * is listed.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  for (;;) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`>${title}`);
    try {
      await row.waitFor({ timeout: 3_000 });
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await page.keyboard.press('Escape');
    }
  }
  await page.keyboard.press('Enter');
}

/** Pastes a file the way the browser does (recipe step 6): a ClipboardEvent whose DataTransfer holds a File. */
export async function pasteFile(page: Page, name: string, bytes: Uint8Array, type: string): Promise<void> {
  await page.evaluate(
    ({ name, data, type }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], name, { type }));
      const target = document.activeElement as HTMLElement;
      target.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }),
      );
    },
    { name, data: [...bytes], type },
  );
}
