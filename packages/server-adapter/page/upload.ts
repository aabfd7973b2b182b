/**
 * Uploading: a queue of pasted, dropped or chosen files sent one at a time, small ones by POST /upload with a
 * progress bar, large ones through tus (tus-js-client, resumable). `Private` stores them under the private prefix.
 */
import { Upload } from 'tus-js-client';
import { $, copy, el, explain, say } from './dom';
import { authHeaders, getKey, keyChecked, needKey, refuse } from './key';
import type { Uploaded } from './result';

const MAX_FILES = 10;
// Files above this go through tus (resumable); `?tus-threshold=<bytes>` lowers it, e.g. on a bad network.
const TUS_THRESHOLD = Number(new URLSearchParams(location.search).get('tus-threshold')) || 8 * 1024 * 1024;
const TUS_CHUNK = Math.min(TUS_THRESHOLD, 8 * 1024 * 1024);

/** A file waiting or being sent, with its list item and progress bar. */
export interface Entry {
  file: File;
  item: HTMLLIElement;
  progress: HTMLProgressElement;
}
interface Answer {
  status: number;
  body: { success?: boolean; files?: Uploaded[]; msg?: string; code?: string; hint?: string } | null;
}

const queue: Entry[] = [];
let busy = false;
const isPrivate = () => $<HTMLInputElement>('private').checked;

function send(entry: Entry): Promise<Answer> {
  return new Promise((resolve) => {
    const form = new FormData();
    // Before the file part: the server decides where the file goes as the part starts.
    if (isPrivate()) form.append('private', 'true');
    form.append('file', entry.file, entry.file.name || 'image.png');
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/upload');
    xhr.setRequestHeader('Authorization', `Bearer ${getKey()}`);
    xhr.responseType = 'json';
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) entry.progress.value = Math.round((event.loaded / event.total) * 100);
    });
    xhr.addEventListener('load', () => resolve({ status: xhr.status, body: xhr.response }));
    xhr.addEventListener('error', () => resolve({ status: 0, body: null }));
    xhr.send(form);
  });
}

const answerOf = (error: { originalResponse?: { getBody(): string } | null }) => {
  try {
    return JSON.parse(error.originalResponse?.getBody() || 'null');
  } catch {
    return null;
  }
};

// Large files: tus, resumed after a drop (tus-js-client retries), after going offline (on `online`) and after a
// reload (its fingerprint of the file in localStorage: adding the same file again continues where it stopped).
function sendTus(entry: Entry): Promise<Answer> {
  return new Promise((resolve) => {
    const file = entry.file;
    const status = el('span', { className: 'hint tus-status' });
    const toggle = el('button', { type: 'button', textContent: 'Pause' });
    toggle.addEventListener('click', () => {
      if (toggle.textContent === 'Pause') {
        upload.abort();
        toggle.textContent = 'Resume';
        status.textContent = 'Paused.';
      } else {
        toggle.textContent = 'Pause';
        status.textContent = '';
        upload.start();
      }
    });
    const actions = el('div', { className: 'actions' }, toggle);
    entry.item.append(status, actions);
    const headers = authHeaders();
    const finish = (answer: Answer | Promise<Answer>) => {
      status.remove();
      actions.remove();
      resolve(answer);
    };
    const upload = new Upload(file, {
      endpoint: new URL('/tus/', location.href).href,
      chunkSize: TUS_CHUNK,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      headers,
      metadata: {
        filename: file.name || 'image.png',
        filetype: file.type || 'application/octet-stream',
        ...(isPrivate() ? { private: 'true' } : {}),
      },
      removeFingerprintOnSuccess: true,
      // tus-js-client's own rule (retry but on 4xx other than 409 and 423, and only online), except that a server
      // without tus set up (ERR_CONFIG) is not asked again: the file goes by POST at once.
      onShouldRetry(error) {
        const code = error.originalResponse?.getStatus() || 0;
        if (answerOf(error)?.code === 'ERR_CONFIG') return false;
        return (code < 400 || code >= 500 || code === 409 || code === 423) && navigator.onLine;
      },
      onProgress(sent, total) {
        entry.progress.value = Math.round((sent / total) * 100);
      },
      async onSuccess() {
        // The same JSON as POST /upload: the links, the Markdown and HTML, the delete link.
        try {
          const response = await fetch(upload.url!, {
            headers: { ...headers, Accept: 'application/json', 'Tus-Resumable': '1.0.0' },
          });
          finish({ status: response.status, body: await response.json().catch(() => null) });
        } catch {
          finish({ status: 0, body: null });
        }
      },
      onError(error) {
        if (!navigator.onLine) {
          status.textContent = 'Offline: the upload continues when the connection is back.';
          window.addEventListener('online', () => toggle.textContent === 'Pause' && upload.start(), {
            once: true,
          });
          return;
        }
        const body = answerOf(error as never);
        // A server without tus set up still takes the file in one request.
        if (body?.code === 'ERR_CONFIG') return finish(send(entry));
        const code =
          (error as { originalResponse?: { getStatus(): number } }).originalResponse?.getStatus() || 0;
        // What arrived is kept: the fingerprint in localStorage lets the same file pick up from there.
        finish({
          status: code,
          body: code ? body : { hint: 'Add the same file again to continue where it stopped.' },
        });
      },
    });
    upload.findPreviousUploads().then((previous) => {
      if (previous[0]) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    });
  });
}

let uploaded: (file: Uploaded, entry: Entry) => void = () => {};

/** Sends the waiting files, one at a time; asks for the key first when there is none (or it was refused). */
export async function run(): Promise<void> {
  if (busy) return;
  busy = true;
  await keyChecked();
  if (needKey()) {
    busy = false;
    return;
  }
  const urls: string[] = [];
  while (queue.length) {
    const entry = queue[0]!;
    const { status, body } = await (entry.file.size > TUS_THRESHOLD ? sendTus(entry) : send(entry));
    if (status === 200 && body?.success && body.files?.[0]) {
      queue.shift();
      uploaded(body.files[0], entry);
      urls.push(body.files[0].url);
      continue;
    }
    if (status === 401 || status === 403) {
      entry.progress.value = 0;
      busy = false;
      return refuse(explain(status, body));
    }
    queue.shift();
    const note = el('span', { className: 'failed', textContent: explain(status, body) });
    entry.progress.remove();
    entry.item.append(note);
    say(note.textContent ?? '', 'error');
  }
  busy = false;
  if (urls.length) {
    const what = urls.length === 1 ? 'the link' : `${urls.length} links`;
    if (await copy(urls.join('\n'), what)) say(`Uploaded and copied ${what}.`, 'ok');
  }
}

function enqueue(files: FileList | File[] | undefined | null): void {
  const list = Array.from(files || []).filter((file) => file && file.size !== undefined);
  if (list.length === 0) return;
  if (list.length > MAX_FILES) say(`Only the first ${MAX_FILES} files are uploaded at a time.`, 'error');
  for (const file of list.slice(0, MAX_FILES)) {
    const label = file.name || 'pasted image';
    const progress = el('progress', { max: 100, value: 0 });
    progress.setAttribute('aria-label', `Uploading ${label}`);
    const item = el('li', {}, el('span', { className: 'name', textContent: label }), progress);
    $('uploads').prepend(item);
    queue.push({ file, item, progress });
  }
  void run();
}

/** Wires paste, drop and the file chooser; `onUploaded` shows each stored file. */
export function setupUploads(onUploaded: (file: Uploaded, entry: Entry) => void): void {
  uploaded = onUploaded;
  const drop = $('drop');
  const picker = $<HTMLInputElement>('picker');
  drop.addEventListener('click', () => picker.click());
  picker.addEventListener('change', () => {
    enqueue(picker.files);
    picker.value = '';
  });
  for (const type of ['dragenter', 'dragover']) {
    drop.addEventListener(type, (event) => {
      event.preventDefault();
      drop.classList.add('over');
    });
  }
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    enqueue(event.dataTransfer?.files);
  });
  // Dropping outside the zone must not navigate away from the page.
  window.addEventListener('dragover', (event) => event.preventDefault());
  window.addEventListener('drop', (event) => event.preventDefault());
  document.addEventListener('paste', (event) => {
    const files = event.clipboardData ? Array.from(event.clipboardData.files) : [];
    if (files.length === 0) return;
    event.preventDefault();
    enqueue(files);
  });
}
