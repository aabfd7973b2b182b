import { Parser } from 'commonmark';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findLinks, formatLink } from '../src/index';

const only = (markdown: string, options?: Parameters<typeof findLinks>[1]) => {
  const links = findLinks(markdown, options);
  expect(links).toHaveLength(1);
  return links[0]!;
};

/** The destination the reference CommonMark parser reads from a one-link paragraph. */
function commonmarkDestination(markdown: string): string | undefined {
  const walker = new Parser().parse(markdown).walker();
  for (let step = walker.next(); step; step = walker.next()) {
    if (step.entering && (step.node.type === 'image' || step.node.type === 'link'))
      return step.node.destination ?? '';
  }
  return undefined;
}

describe('findLinks: inline links', () => {
  it('reads ![a](b.png) with its span, label and local path', () => {
    const text = 'see ![a](b.png) here';
    const link = only(text);
    expect(link).toMatchObject({
      text: '![a](b.png)',
      start: 4,
      end: 15,
      image: true,
      kind: 'inline',
      label: 'a',
      destination: 'b.png',
      path: 'b.png',
      local: true,
    });
    expect(text.slice(link.start, link.end)).toBe(link.text);
  });

  it('unwraps <…> destinations and decodes percent-encoding', () => {
    expect(only('![a](<b c.png>)')).toMatchObject({ destination: '<b c.png>', path: 'b c.png', local: true });
    expect(only('![](b%20c.png)')).toMatchObject({ destination: 'b%20c.png', path: 'b c.png', label: '' });
    // A stray '%' is part of the file name, not an error.
    expect(only('![](100%.png)').path).toBe('100%.png');
  });

  it('drops ?query and #hash from the path, keeps them in the destination', () => {
    expect(only('![a](img/b.png?v=2#x)')).toMatchObject({
      destination: 'img/b.png?v=2#x',
      path: 'img/b.png',
    });
  });

  it('keeps titles in all three quote styles out of the path', () => {
    for (const title of ['"Title"', "'Title'", '(Title)']) {
      const link = only(`![a](b.png ${title})`);
      expect(link.path).toBe('b.png');
      expect(link.withUrl('https://x.test/b.png')).toBe(`![a](https://x.test/b.png ${title})`);
    }
    expect(only('![A](<img/a b.png> "Title")').withUrl('https://x.test/a.png')).toBe(
      '![A](https://x.test/a.png "Title")',
    );
  });

  it('handles escaped brackets in text and escaped characters in destinations', () => {
    expect(only('![a \\] b](c.png)')).toMatchObject({ label: 'a ] b', path: 'c.png' });
    expect(only('[a [nested] b](c.pdf)')).toMatchObject({ label: 'a [nested] b', image: false });
    expect(only('![a](b\\(1\\).png)').path).toBe('b(1).png');
    expect(findLinks('\\[a](b.png) and !\\[a](b.png)')).toEqual([]);
    expect(only('\\![a](b.png)').image).toBe(false);
  });

  it('keeps balanced parentheses in bare destinations', () => {
    expect(only('![a](b(1).png)')).toMatchObject({ destination: 'b(1).png', path: 'b(1).png' });
    expect(only('([a](b.png))').text).toBe('[a](b.png)');
    expect(findLinks('![a](b(.png)')).toEqual([]);
  });

  it('marks remote URLs, protocol-relative URLs, anchors, data: and empty destinations as not local', () => {
    const text =
      '![x](https://cdn.example.com/x.png) [m](mailto:a@b.c) ![d](data:image/png;base64,AA==) [t](#top) ![p](//cdn.example.com/p.png) [e]() [f](<>)';
    const links = findLinks(text);
    expect(links).toHaveLength(7);
    expect(links.filter((link) => link.local)).toEqual([]);
  });

  it('finds images inside links, reference links and plain brackets are not links', () => {
    const links = findLinks('[![a](a.png)](page.html) [ref][1] [plain] ![x] (y.png)');
    expect(links.map((link) => link.text)).toEqual(['[![a](a.png)](page.html)', '![a](a.png)']);
  });

  it('does not let a link span lines in its text', () => {
    expect(findLinks('[a\nb](c.png)')).toEqual([]);
  });

  it('rewrites with the same escaping as formatLink: spaces and unbalanced parentheses are wrapped', () => {
    const link = only('![chart](img/a.png "Q1")');
    expect(link.withUrl('https://x.test/a b.png')).toBe('![chart](<https://x.test/a b.png> "Q1")');
    expect(link.withUrl('https://x.test/a(.png')).toBe('![chart](<https://x.test/a(.png> "Q1")');
    expect(commonmarkDestination(link.withUrl('https://x.test/a b(.png'))).toBe('https://x.test/a%20b(.png'); // commonmark.js normalises the space
  });

  it('agrees with the reference CommonMark parser on destinations it reports', () => {
    for (const markdown of ['![a](<b c.png> "t")', '![a](b(1).png)', '[a](b\\)c.pdf)', '![a](  b.png  )']) {
      const link = only(markdown);
      expect(commonmarkDestination(markdown)).toBe(encodeURI(link.path));
    }
  });
});

/** Every image/link destination the reference CommonMark parser reads, in order. */
function commonmarkDestinations(markdown: string): string[] {
  const walker = new Parser().parse(markdown).walker();
  const found: string[] = [];
  for (let step = walker.next(); step; step = walker.next()) {
    if (step.entering && (step.node.type === 'image' || step.node.type === 'link'))
      found.push(step.node.destination ?? '');
  }
  return found;
}

describe('findLinks: code is not Markdown', () => {
  const paths = (markdown: string, options?: Parameters<typeof findLinks>[1]) =>
    findLinks(markdown, options).map((link) => link.path);

  it('skips links in fenced code blocks of backticks and tildes, longer fences, quotes and CRLF', () => {
    const note = [
      'before ![a](a.png)',
      '```markdown',
      '![in](fence.png) [[wiki.png]]',
      '```',
      '~~~~',
      '![in](tilde.png)',
      '~~~ still inside: a closing fence is at least as long',
      '~~~~',
      '> ```',
      '> ![in](quoted.png)',
      '> ```',
      'after ![b](b.png)',
    ].join('\r\n');
    expect(paths(note, { wikiEmbeds: true, wikiLinks: true })).toEqual(['a.png', 'b.png']);
    expect(commonmarkDestinations(note)).toEqual(['a.png', 'b.png']);
  });

  it('an unclosed fence runs to the end, as in CommonMark', () => {
    const note = '![a](a.png)\n```\n![in](open.png)\n';
    expect(paths(note)).toEqual(['a.png']);
    expect(commonmarkDestinations(note)).toEqual(['a.png']);
  });

  it('skips links in code spans of any backtick count; an unmatched run is literal', () => {
    const note =
      'see `![x](x.png)` and ``a ` ![y](y.png)`` then ![z](z.png), ```![w](w.png)``` but ` ![v](v.png)';
    expect(paths(note)).toEqual(['z.png', 'v.png']);
    expect(commonmarkDestinations(note)).toEqual(['z.png', 'v.png']);
  });

  it('a backtick line with a backtick in its info string is a code span, not a fence', () => {
    const note = '```a`b``` ![a](a.png)\n![b](b.png)';
    expect(paths(note)).toEqual(['a.png', 'b.png']);
    expect(commonmarkDestinations(note)).toEqual(['a.png', 'b.png']);
  });

  it('agrees with the reference CommonMark parser on notes mixing links, code spans and fences', () => {
    const fragment = fc.constantFrom(
      '![a](one.png)',
      '[b](two.pdf)',
      '`',
      '``',
      '```',
      '~~~',
      '\n',
      '\n\n',
      ' text ',
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 14 }), (fragments) => {
        const note = fragments.join('');
        expect(paths(note)).toEqual(commonmarkDestinations(note));
      }),
      { numRuns: 2000 },
    );
  });

  it('an escaped backtick opens no code span', () => {
    const note = '\\`![a](a.png)`';
    expect(paths(note)).toEqual(['a.png']);
    expect(commonmarkDestinations(note)).toEqual(['a.png']);
  });
});

describe('findLinks: Obsidian wikilinks', () => {
  const text = '![[x.png]] ![[pics/y.png|300]] ![[z.png#page=2|Alias]] [[note.png]] ![[]]';

  it('ignores wiki syntax unless asked', () => {
    expect(findLinks(text)).toEqual([]);
  });

  it('finds embeds with wikiEmbeds, keeping the alias (e.g. a size) as the label', () => {
    const links = findLinks(text, { wikiEmbeds: true });
    expect(
      links.map(({ text, path, label, image, kind, local }) => ({ text, path, label, image, kind, local })),
    ).toEqual([
      { text: '![[x.png]]', path: 'x.png', label: '', image: true, kind: 'wiki', local: true },
      {
        text: '![[pics/y.png|300]]',
        path: 'pics/y.png',
        label: '300',
        image: true,
        kind: 'wiki',
        local: true,
      },
      {
        text: '![[z.png#page=2|Alias]]',
        path: 'z.png',
        label: 'Alias',
        image: true,
        kind: 'wiki',
        local: true,
      },
    ]);
    expect(links[1]?.destination).toBe('pics/y.png|300');
    expect(links[0]?.withUrl('https://x.test/x.png')).toBe('![](https://x.test/x.png)');
  });

  it('finds plain wikilinks with wikiLinks; a heading-only link is not local', () => {
    const links = findLinks('[[note.png]] [[#Heading]]', { wikiLinks: true });
    expect(links.map((link) => [link.path, link.image, link.local])).toEqual([
      ['note.png', false, true],
      ['', false, false],
    ]);
  });
});

describe('findLinks: reference definitions', () => {
  const note = [
    'See ![chart][r1] and [the report][r2].',
    '',
    '[r1]: img/a%20b.png "Chart"',
    '  [r2]: <docs/q 1.pdf>',
    '> [r3]: https://cdn.example.com/x.png',
    '```',
    '[r4]: in-code.png',
    '```',
    '[not]: a definition because text follows',
  ].join('\n');

  it('ignores them unless asked', () => {
    expect(findLinks(note)).toEqual([]);
  });

  it('finds each definition with its label and path, and none inside code', () => {
    const links = findLinks(note, { references: true });
    expect(links.map(({ text, label, path, local, kind }) => ({ text, label, path, local, kind }))).toEqual([
      {
        text: '[r1]: img/a%20b.png "Chart"',
        label: 'r1',
        path: 'img/a b.png',
        local: true,
        kind: 'reference',
      },
      { text: '[r2]: <docs/q 1.pdf>', label: 'r2', path: 'docs/q 1.pdf', local: true, kind: 'reference' },
      {
        text: '[r3]: https://cdn.example.com/x.png',
        label: 'r3',
        path: 'https://cdn.example.com/x.png',
        local: false,
        kind: 'reference',
      },
    ]);
    expect(note.slice(links[1]?.start, links[1]?.end)).toBe('[r2]: <docs/q 1.pdf>');
  });

  it('rewrites the destination only, keeping label and title, and CommonMark reads the new URL', () => {
    const [r1, r2] = findLinks(note, { references: true });
    expect(r1?.withUrl('https://cdn.example.com/a b.png')).toBe(
      '[r1]: <https://cdn.example.com/a b.png> "Chart"',
    );
    const rewritten = `![x][r2]\n\n${r2?.withUrl('https://cdn.example.com/q.pdf')}`;
    expect(commonmarkDestination(rewritten)).toBe('https://cdn.example.com/q.pdf');
  });
});

describe('findLinks: HTML elements', () => {
  const note =
    '<p><img alt="A &amp; B" src="img/a&amp;b.png" width="300"></p> <a href=\'docs/q.pdf\'>Q</a> <video src=clip.mp4></video> `<img src="code.png">`';

  it('ignores them unless asked', () => {
    expect(findLinks(note)).toEqual([]);
  });

  it('finds img, a and video, decoding character references, and none in code', () => {
    const links = findLinks(note, { html: true });
    expect(links.map(({ path, label, image, kind }) => ({ path, label, image, kind }))).toEqual([
      { path: 'img/a&b.png', label: 'A & B', image: true, kind: 'html' },
      { path: 'docs/q.pdf', label: '', image: false, kind: 'html' },
      { path: 'clip.mp4', label: '', image: false, kind: 'html' },
    ]);
    expect(links[0]?.text).toBe('<img alt="A &amp; B" src="img/a&amp;b.png" width="300">');
  });

  it('rewrites the attribute only, escaped for HTML, and finds it again', () => {
    const [img, anchor] = findLinks(note, { html: true });
    const rewritten = img?.withUrl('https://cdn.example.com/a&b".png') as string;
    expect(rewritten).toBe(
      '<img alt="A &amp; B" src="https://cdn.example.com/a&#38;b&#34;.png" width="300">',
    );
    expect(only(rewritten, { html: true }).destination).toBe('https://cdn.example.com/a&b".png');
    expect(anchor?.withUrl('https://cdn.example.com/q.pdf')).toBe('<a href="https://cdn.example.com/q.pdf">');
  });

  it('finds what formatLink writes in html format', () => {
    const source = { url: 'dir/a b.png', key: 'k', size: 1, filename: 'a b.png' };
    for (const contentType of ['image/png', 'application/pdf']) {
      const written = formatLink({ ...source, contentType }, 'html');
      expect(only(written, { html: true }).path).toBe('dir/a b.png');
    }
  });
});

describe('findLinks round trip', () => {
  // Path segments as a user's files might be named: spaces, parentheses, brackets, %, #, ?, backslashes, non-ASCII.
  const segment = fc
    .string({
      unit: fc.constantFrom(...'abcXYZ019 _-.()[]<>%#?&\\!é日🙂'.split(/(?:)/u)),
      minLength: 1,
      maxLength: 12,
    })
    .filter((part) => part !== '.' && part !== '..' && part.trim() === part && part.trim() !== '');
  const localPath = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));

  it('findLinks(formatLink(...)) gives back the local path', () => {
    fc.assert(
      fc.property(localPath, fc.string({ maxLength: 10 }), fc.boolean(), (path, alt, isImage) => {
        // A relative URL for the path, percent-encoded the way a host writes one.
        const url = path.split('/').map(encodeURIComponent).join('/');
        const markdown = formatLink(
          { url, key: path, size: 1, contentType: isImage ? 'image/png' : 'text/plain', filename: 'f' },
          'markdown',
          { alt },
        );
        const links = findLinks(`before ${markdown} after`);
        expect(links).toHaveLength(1);
        expect(links[0]).toMatchObject({ path, local: true, image: isImage, text: markdown });
      }),
      { numRuns: 300 },
    );
  });

  it('withUrl output is found again with the new URL', () => {
    fc.assert(
      fc.property(localPath, (path) => {
        const url = `https://cdn.example.com/${path}`;
        const rewritten = only('![a](old.png "t")').withUrl(url);
        const link = only(rewritten);
        expect(commonmarkDestination(rewritten)).toBeDefined();
        expect(link.local).toBe(false);
        expect(link.text).toBe(rewritten);
        expect(link.withUrl(url)).toBe(rewritten);
      }),
      { numRuns: 200 },
    );
  });
});
