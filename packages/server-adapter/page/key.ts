/**
 * The access key: kept in this browser's localStorage, checked with the server (GET /auth) before it is kept, and
 * sent as a Bearer token by every request of the page.
 */
import { $, explain, say } from './dom';

const KEY_STORE = 'bytedrop.key';
// Why the kept key was refused: it is not sent again until a new one is saved (each wrong try counts toward a ban).
let refusal = '';

/** The kept key, or '' before one is entered. */
export const getKey = (): string => localStorage.getItem(KEY_STORE) || '';

/** The Authorization header of the kept key (none without one). */
export const authHeaders = (): Record<string, string> =>
  getKey() ? { Authorization: `Bearer ${getKey()}` } : {};

/** Shows the key form, with `reason` as the message. */
export function askKey(reason: string): void {
  $('key-form').hidden = false;
  $('change-key').hidden = true;
  if (reason) say(reason, 'error');
  const input = $<HTMLInputElement>('key');
  input.value = '';
  input.focus();
}

/** Says why the kept key was refused and asks for another; the key is not sent again until then. */
export function refuse(reason: string): void {
  refusal = reason;
  askKey(reason);
}

/** Asks for a key when there is none to send (none kept, or refused): answers whether it asked. */
export function needKey(): boolean {
  if (getKey() && !refusal) return false;
  askKey(refusal || 'Enter your access key to upload.');
  return true;
}

/** What GET /auth says of a key. */
export interface KeyInfo {
  name: string;
  admin: boolean;
}

// The check in flight, if any: an upload waits for it, so that a kept wrong key is sent (and counted) once, not
// once by the check and again by a file pasted before its answer.
let checking: Promise<KeyInfo | null> = Promise.resolve(null);
// A server that never answers the check must not hold uploads for ever: they then go, and say what is wrong.
const CHECK_TIMEOUT_MS = 10_000;

/** Resolves once the kept key's checks in flight (one may start while another runs) have their answers. */
export async function keyChecked(): Promise<void> {
  let awaited: Promise<unknown>;
  do {
    awaited = checking;
    await awaited;
  } while (awaited !== checking);
}

/** Checks the kept key: its name and whether it is an admin's, or null (none kept, refused, or no answer). */
export function whoAmI(): Promise<KeyInfo | null> {
  checking = checkKey();
  return checking;
}

async function checkKey(): Promise<KeyInfo | null> {
  const sent = getKey();
  if (!sent || refusal) return null;
  try {
    const response = await fetch('/auth', {
      headers: authHeaders(),
      signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
    });
    if (response.ok) return (await response.json()) as KeyInfo;
    // A refusal of a key replaced since (a new one saved while this check waited) says nothing of the kept one.
    if ((response.status === 401 || response.status === 403) && getKey() === sent) {
      refuse(explain(response.status, await response.json().catch(() => null)));
    }
  } catch {}
  return null;
}

/** Wires the key form; `onSaved` runs once a checked key is kept. */
export function setupKeyForm(onSaved: () => void): void {
  const form = $<HTMLFormElement>('key-form');
  const input = $<HTMLInputElement>('key');
  // A wrong key counts toward a ban like any other, so it is checked once, here, and not kept.
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = input.value.trim();
    if (!value) return;
    const submit = form.querySelector('button[type=submit]') as HTMLButtonElement;
    submit.disabled = true;
    say('Checking the access key…');
    let status = 0;
    let body = null;
    try {
      const response = await fetch('/auth', { headers: { authorization: `Bearer ${value}` } });
      status = response.status;
      body = await response.json().catch(() => null);
    } catch {
      status = 0;
    } finally {
      submit.disabled = false;
    }
    if (status !== 200) {
      say(
        status === 0
          ? 'The server could not be reached to check the key. Check your connection.'
          : explain(status, body),
        'error',
      );
      input.select();
      return;
    }
    localStorage.setItem(KEY_STORE, value);
    refusal = '';
    form.hidden = true;
    $('change-key').hidden = false;
    say('Access key checked and saved.', 'ok');
    onSaved();
  });
  $('change-key').addEventListener('click', () => askKey(''));
  if (getKey()) $('change-key').hidden = false;
  else askKey('');
}
