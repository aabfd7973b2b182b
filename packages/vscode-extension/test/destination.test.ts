/** Where an un-uploaded file goes: VS Code's `markdown.copyFiles.destination` rules, and the glob dialect of its keys. */
import { beforeEach, describe, expect, it } from 'vitest';
import { fallbackDestination, relativePath } from '../src/destination';
import { globToRegExp } from '../src/glob';
import { placeholder } from '../src/local-copy';
import { fake, Uri } from './_fake/vscode';

describe('globToRegExp', () => {
  it.each([
    ['**/*.md', '/ws/notes/a.md', true],
    ['**/*.md', '/ws/notes/a.markdown', false],
    ['**/docs/**', '/ws/docs/deep/a.md', true],
    ['**/docs/*', '/ws/docs/deep/a.md', false],
    ['/ws/blog/**/*.{md,mdx}', '/ws/blog/2024/post.mdx', true],
    ['/ws/blog/**/*.{md,mdx}', '/ws/blogs/post.md', false],
    ['**/post-?.md', '/ws/post-1.md', true],
    ['**/post-[0-9].md', '/ws/post-x.md', false],
    ['**/.hidden/*.md', '/ws/.hidden/a.md', true],
    ['**/a+b (1).md', '/ws/a+b (1).md', true],
  ])('%s matches %s: %s', (glob, path, expected) => {
    expect(globToRegExp(glob).test(path)).toBe(expected);
  });
});

describe('fallbackDestination', () => {
  const note = Uri.file('/ws/blog/2024/post.md');
  beforeEach(() => {
    fake.reset();
    fake.setWorkspaceFolder('/ws');
  });

  it('puts the file next to the document when nothing is configured, with -1, -2 for taken names', async () => {
    expect((await fallbackDestination(note, 'image.png')).path).toBe('/ws/blog/2024/image.png');
    fake.files.set('/ws/blog/2024/image.png', new Uint8Array([1]));
    fake.files.set('/ws/blog/2024/image-1.png', new Uint8Array([1]));
    expect((await fallbackDestination(note, 'image.png')).path).toBe('/ws/blog/2024/image-2.png');
  });

  it('counts names promised to copies not written yet as taken, whatever overwriteBehavior says', async () => {
    const reserved = new Set([Uri.file('/ws/blog/2024/image.png').toString()]);
    expect((await fallbackDestination(note, 'image.png', reserved)).path).toBe('/ws/blog/2024/image-1.png');
    fake.settings.set('markdown.copyFiles.overwriteBehavior', 'overwrite');
    expect((await fallbackDestination(note, 'image.png', reserved)).path).toBe('/ws/blog/2024/image-1.png');
  });

  it('overwrites when markdown.copyFiles.overwriteBehavior says so', async () => {
    fake.files.set('/ws/blog/2024/image.png', new Uint8Array([1]));
    fake.settings.set('markdown.copyFiles.overwriteBehavior', 'overwrite');
    expect((await fallbackDestination(note, 'image.png')).path).toBe('/ws/blog/2024/image.png');
  });

  /* biome-ignore-start lint/suspicious/noTemplateCurlyInString: VS Code's `${variable}` syntax in setting values. */
  it.each([
    [{ '**/*.md': 'images/' }, '/ws/blog/2024/images/shot.png'],
    [{ '**/*.md': '/assets/${documentBaseName}/' }, '/ws/assets/post/shot.png'],
    [
      { '/blog/**': '${documentWorkspaceFolder}/static/${documentRelativeDirName}/${fileName}' },
      '/ws/static/blog/2024/shot.png',
    ],
    [{ '*.md': '${documentBaseName}-${fileName/(.*)\\.png/$1/}.png' }, '/ws/blog/2024/post-shot.png'],
    [{ '**/*.txt': 'nope/', '**/*.md': 'first/', '**': 'second/' }, '/ws/blog/2024/first/shot.png'],
    [{ '**/*.md': 'cost-\\$5/' }, '/ws/blog/2024/cost-$5/shot.png'],
  ])('follows markdown.copyFiles.destination %j', async (destination, expected) => {
    fake.settings.set('markdown.copyFiles.destination', destination);
    expect((await fallbackDestination(note, 'shot.png')).path).toBe(expected);
  });
  /* biome-ignore-end lint/suspicious/noTemplateCurlyInString: see above */

  it('links relative to the document', () => {
    expect(relativePath(note, Uri.file('/ws/blog/2024/images/a.png'))).toBe('images/a.png');
    expect(relativePath(note, Uri.file('/ws/assets/a.png'))).toBe('../../assets/a.png');
  });
});

describe('placeholder', () => {
  it('is a unique Markdown image that names the file and cannot break out of its brackets', () => {
    const a = placeholder('shot [1].png');
    const b = placeholder('shot [1].png');
    expect(a).toMatch(/^!\[Uploading shot 1\.png…\]\(bytedrop:upload\/[0-9a-f]{8}\)$/);
    expect(a).not.toBe(b);
  });
});
