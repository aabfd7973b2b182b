import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CALLER_VARIABLES,
  compileKeyTemplate,
  DEFAULT_KEY_TEMPLATE,
  isBytedropError,
  type KeyContext,
  MAX_KEY_BYTES,
} from '../src/index';

const HASH = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
// Local time on purpose: date variables follow the machine's zone, like PicGo.
const DATE = new Date(2024, 0, 2, 3, 4, 5, 6);
const context = (overrides: Partial<KeyContext> = {}): KeyContext => ({
  filename: 'Shot 1.PNG',
  ext: 'png',
  contentType: 'image/png',
  hash: HASH,
  date: DATE,
  ...overrides,
});

function caught(run: () => unknown): Error & { code?: string } {
  try {
    run();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

/** Every invariant a rendered key must satisfy, whatever went in. */
function expectSafeKey(key: string): void {
  expect(key).not.toBe('');
  expect(key.startsWith('/')).toBe(false);
  expect(key.split('/')).not.toContain('..');
  expect(key.split('/')).not.toContain('.');
  expect(key.split('/')).not.toContain('');
  expect(key).not.toMatch(/[\p{Cc}\p{Cf}\p{Cs}]/u);
  expect(key).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/);
  expect(key.normalize('NFC')).toBe(key);
  const encoded = new TextEncoder().encode(key);
  expect(encoded.byteLength).toBeLessThanOrEqual(MAX_KEY_BYTES);
  // Valid UTF-8: decoding strictly gives the same string back.
  expect(new TextDecoder('utf-8', { fatal: true }).decode(encoded)).toBe(key);
  expect(key).toMatch(/^[\p{L}\p{M}\p{N}._\-/]+$/u);
}

describe('compileKeyTemplate: rendering', () => {
  it('renders the default template', () => {
    const template = compileKeyTemplate(DEFAULT_KEY_TEMPLATE);
    expect(template.source).toBe(DEFAULT_KEY_TEMPLATE);
    expect(template.usesHash).toBe(true);
    expect(template.variables).toEqual(['yyyy', 'mm', 'dd', 'name', 'hash', 'ext']);
    expect(template.render(context())).toBe('2024/01/02/Shot-1-ba7816bf8f01cfea.png');
  });

  it('renders every built-in variable', () => {
    const template = compileKeyTemplate(
      '{yyyy}{mm}{dd}-{hh}{mi}{ss}/{timestamp}/{type}/{name}.{ext}/{hash}/{hash:4}',
    );
    expect(template.render(context())).toBe(
      `20240102-030405/${DATE.getTime()}/image/Shot-1.png/${HASH}/ba78`,
    );
    const random = compileKeyTemplate('{uuid}/{rand}/{rand:3}/{uuid}').render(context());
    const [uuid, rand8, rand3, uuidAgain] = random.split('/');
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidAgain).toBe(uuid);
    expect(rand8).toMatch(/^[a-z0-9]{8}$/);
    expect(rand3).toMatch(/^[a-z0-9]{3}$/);
    expect(compileKeyTemplate('{hash}').usesHash).toBe(true);
    expect(compileKeyTemplate('{uuid}.{ext}').usesHash).toBe(false);
  });

  it('compiles once and renders many times with fresh values', () => {
    const template = compileKeyTemplate('{name}-{rand:12}');
    const keys = new Set(Array.from({ length: 20 }, () => template.render(context())));
    expect(keys.size).toBe(20);
  });

  it('takes the extension from the sniffed type for clipboard names and names without one', () => {
    const template = compileKeyTemplate('{name}.{ext}');
    expect(template.render(context({ filename: 'image.png', ext: 'jpg' }))).toBe('image.jpg');
    expect(template.render(context({ filename: 'blob', ext: 'webp' }))).toBe('blob.webp');
    expect(template.render(context({ filename: 'Pasted image 20240101123456.png', ext: 'gif' }))).toBe(
      'Pasted-image-20240101123456.gif',
    );
    expect(template.render(context({ filename: 'README', ext: 'md' }))).toBe('README.md');
    // A real name keeps its own (lower-cased) extension.
    expect(template.render(context({ filename: 'notes.MD', ext: '' }))).toBe('notes.md');
    // A sniffed extension is normalised before filtering: NFC splits U+0958 into a letter and a mark.
    expect(template.render(context({ filename: 'blob', ext: '\u0958' }))).toBe('blob.\u0915');
    // No extension anywhere: no dangling dot.
    expect(template.render(context({ filename: 'LICENSE', ext: '' }))).toBe('LICENSE');
  });

  it('renders caller variables when allowed, keeping folder slashes but never ..', () => {
    const template = compileKeyTemplate('{workspace}/{folder}/{note}/{name}.{ext}', {
      variables: CALLER_VARIABLES,
    });
    const vars = { workspace: 'My Vault', folder: 'a/b', note: 'Daily: 2024/01/02' };
    expect(template.render(context({ vars }))).toBe('My-Vault/a/b/Daily-2024/01/02/Shot-1.png');
    const hostile = { workspace: '..', folder: '../../etc\\..\\x', note: '\u202Eevil' };
    expect(template.render(context({ vars: hostile }))).toBe('etc/x/evil/Shot-1.png');
    expect(template.render(context({ vars: {} }))).toBe('Shot-1.png');
  });

  it('puts a sanitised prefix in front and counts it in the length', () => {
    const template = compileKeyTemplate('{name}.{ext}');
    expect(template.render(context({ prefix: '/users/../alice/' }))).toBe('users/alice/Shot-1.png');
  });

  it('slugs unsafe characters in the template text itself', () => {
    expect(compileKeyTemplate('up loads/~{name}?.{ext}').render(context())).toBe('up-loads/Shot-1.png');
  });
});

describe('compileKeyTemplate: bad input', () => {
  it('rejects an unknown variable at compile time, naming it and the valid ones', () => {
    const error = caught(() => compileKeyTemplate('{yyyy}/{nmae}.{ext}'));
    expect(isBytedropError(error, 'ERR_TEMPLATE')).toBe(true);
    expect(error.message).toBe(
      "key template '{yyyy}/{nmae}.{ext}': unknown variable {nmae}; valid variables are {yyyy} {mm} {dd} {hh} {mi} {ss} {timestamp} {name} {ext} {hash[:N]} {uuid} {rand[:N]} {type}",
    );
  });

  it('rejects caller variables unless the caller allows them', () => {
    expect(caught(() => compileKeyTemplate('{note}/{name}')).message).toContain('unknown variable {note}');
    expect(compileKeyTemplate('{note}/{name}', { variables: ['note'] }).variables).toEqual(['note', 'name']);
    expect(caught(() => compileKeyTemplate('{name}', { variables: ['hash'] })).message).toContain(
      "caller variable 'hash' is not a plain name or shadows a built-in",
    );
  });

  it.each([
    ['', 'the template is empty'],
    ['{name:3}', '{name} takes no'],
    ['{hash:0}', 'must be from 1 to 64'],
    ['{hash:99}', 'must be from 1 to 64'],
    ['{name', "unbalanced '{' or '}'"],
    ['name}', "unbalanced '{' or '}'"],
    ['{}', 'unknown variable {}'],
    ['{{name}}', "unbalanced '{' or '}'"],
  ])('rejects %j with ERR_TEMPLATE (%s)', (source, message) => {
    const error = caught(() => compileKeyTemplate(source));
    expect(error.code).toBe('ERR_TEMPLATE');
    expect(error.message).toContain(message);
  });

  it('turns ../../etc/passwd into a safe key', () => {
    const key = compileKeyTemplate('{name}.{ext}').render(context({ filename: '../../etc/passwd', ext: '' }));
    expect(key).toBe('passwd');
    expectSafeKey(key);
    const withHash = compileKeyTemplate(DEFAULT_KEY_TEMPLATE).render(
      context({ filename: '/../../etc/passwd' }),
    );
    expect(withHash).toBe('2024/01/02/passwd-ba7816bf8f01cfea.png');
  });

  it('keeps a 300-character unicode filename under 1024 bytes, valid UTF-8 and NFC', () => {
    const filename = `${'e\u0301漢🙂'.repeat(100)}.PNG`;
    const key = compileKeyTemplate(DEFAULT_KEY_TEMPLATE).render(context({ filename }));
    expectSafeKey(key);
    expect(key).toMatch(/^2024\/01\/02\/(é漢-)+é?漢?-?ba7816bf8f01cfea\.png$/u);
  });

  it('truncates only the name when a long prefix pushes the key over 1024 bytes, keeping hash and ext', () => {
    const template = compileKeyTemplate('{folder}/{name}-{hash:8}.{ext}', { variables: ['folder'] });
    const folder = Array.from({ length: 8 }, (_, i) => `${String(i)}${'ф'.repeat(55)}`).join('/');
    const key = template.render(context({ filename: `${'ж'.repeat(100)}.png`, vars: { folder } }));
    expectSafeKey(key);
    expect(new TextEncoder().encode(key).byteLength).toBeGreaterThan(MAX_KEY_BYTES - 4);
    expect(key.startsWith(folder)).toBe(true);
    expect(key).toMatch(/\/ж+-ba7816bf\.png$/);
  });

  it('says so when the key cannot fit even without the filename', () => {
    const template = compileKeyTemplate('{folder}/{name}', { variables: ['folder'] });
    const error = caught(() => template.render(context({ vars: { folder: 'x'.repeat(1100) } })));
    expect(error.code).toBe('ERR_TEMPLATE');
    expect(error.message).toMatch(/renders 1100 bytes even without the filename; S3 allows 1024: shorten/);
  });

  it('strips a right-to-left override from the key', () => {
    const key = compileKeyTemplate('{name}.{ext}').render(
      context({ filename: 'invoice\u202Egnp.exe', ext: '' }),
    );
    expect(key).toBe('invoicegnp.exe');
  });

  it('refuses an empty filename with ERR_FILENAME saying what to pass', () => {
    const error = caught(() => compileKeyTemplate(DEFAULT_KEY_TEMPLATE).render(context({ filename: '' })));
    expect(error.code).toBe('ERR_FILENAME');
    expect(error.message).toContain("pass the file's name with an extension, e.g. 'photo.png'");
  });

  it('refuses to render {hash} without a hash (ERR_INPUT)', () => {
    const error = caught(() => compileKeyTemplate(DEFAULT_KEY_TEMPLATE).render(context({ hash: undefined })));
    expect(error.code).toBe('ERR_INPUT');
    expect(error.message).toContain('pass context.hash');
  });

  it('renders a safe key for arbitrary unicode filenames and caller values (property)', () => {
    const template = compileKeyTemplate(`{folder}/${DEFAULT_KEY_TEMPLATE}`, { variables: ['folder'] });
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 600 }),
        fc.string({ unit: 'binary', maxLength: 12 }),
        fc.string({ unit: fc.constantFrom('a', '/', '.', '\\', 'é', '\u202E', ' ', '漢'), maxLength: 400 }),
        (filename, ext, folder) => {
          let key: string;
          try {
            key = template.render(context({ filename, ext, vars: { folder } }));
          } catch (error) {
            // The only acceptable failure: nothing of the filename was usable.
            expect(isBytedropError(error, 'ERR_FILENAME')).toBe(true);
            return;
          }
          expectSafeKey(key);
          expect(key).toMatch(/-ba7816bf8f01cfea(\.[\p{L}\p{N}]+)?$/u);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('compileKeyTemplate: candidates on a clash', () => {
  const hash = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
  const base = {
    filename: 'shot.png',
    ext: 'png',
    contentType: 'image/png',
    hash,
    date: new Date(2024, 0, 2),
  };

  it('grows {hash:N} by 8 characters to the whole digest, then numbers the name', () => {
    const keys = compileKeyTemplate('{name}-{hash:48}.{ext}').candidates(base);
    expect([0, 1, 2, 3].map(keys)).toEqual([
      `shot-${hash.slice(0, 48)}.png`,
      `shot-${hash.slice(0, 56)}.png`,
      `shot-${hash}.png`,
      `shot-${hash}-1.png`,
    ]);
  });

  it('without {hash}, numbers the last segment before its extension, from the first clash', () => {
    const keys = compileKeyTemplate('{yyyy}/{name}.{ext}').candidates(base);
    expect([0, 1, 2].map(keys)).toEqual(['2024/shot.png', '2024/shot-1.png', '2024/shot-2.png']);
    expect(compileKeyTemplate('notes/{name}').candidates({ ...base, filename: 'README' })(1)).toBe(
      'notes/README-1',
    );
  });

  it('draws {uuid} and {rand} once: every attempt of one upload shares them', () => {
    const keys = compileKeyTemplate('{uuid}-{rand:6}.{ext}').candidates(base);
    expect(keys(1)).toBe(keys(0).replace(/\.png$/, '-1.png'));
    expect(keys(0)).toBe(keys(0));
  });
});
