/**
 * What a test needs from the machine. A missing tool fails the tests that need it, with what to install: never a
 * silent skip (a suite that skips proves nothing), never a timeout that hides the reason.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { BIN } from './bin';

/** Debian's Chromium, driven by playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';

/** Throws, naming the package to install, unless `command` is on PATH (or is an existing absolute path). */
export function requireCommand(command: string, install: string): string {
  if (command.startsWith('/')) {
    if (existsSync(command)) return command;
  } else {
    try {
      return execFileSync('/bin/sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim();
    } catch {
      // not found: below
    }
  }
  throw new Error(`${command} is not installed, and these tests need it: install it with \`${install}\``);
}

/** The Chromium the browser tests drive. */
export const requireChromium = () => requireCommand(CHROMIUM, 'apt-get install chromium');

/** Debian's Chromium, headless, with nothing of its own going to the network (no updates, sync or pings). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: requireChromium(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The built bin the process tests run. */
export function requireBuiltBin(): string {
  if (!existsSync(BIN))
    throw new Error(`${BIN} is missing: build first (\`pnpm -r build\`; \`pnpm test\` does it)`);
  return BIN;
}
