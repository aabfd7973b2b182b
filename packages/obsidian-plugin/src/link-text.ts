/**
 * The text that links an upload, in the user's "Link format", keeping what Obsidian reads from an embed's label:
 * the alt text and the display size (`![[pic.png|300]]`, `![alt|200x100](url)`).
 */
import { displaySize, formatLink, type LinkSource, type MarkdownLink } from '@bytedrop/core';
import type { BytedropSettings } from './settings';

/** What an embed's label says: alt text, and Obsidian's size (`300` or `300x200`), each if any. */
export interface EmbedLabel {
  alt?: string;
  size?: string;
}

const SIZE = /^(\d+)(?:x(\d+))?$/;

/** Splits `alt|300` (Markdown alt or wikilink alias) into alt text and size; Obsidian reads the size after the last `|`. */
export function splitLabel(label: string): EmbedLabel {
  const bar = label.lastIndexOf('|');
  const last = label.slice(bar + 1).trim();
  if (!SIZE.test(last)) return label.trim() ? { alt: label.trim() } : {};
  const alt = bar < 0 ? '' : label.slice(0, bar).trim();
  return { ...(alt ? { alt } : {}), size: last };
}

/** The settings a link is written with. */
export type LinkSettings = Pick<
  BytedropSettings,
  'linkFormat' | 'customLinkTemplate' | 'imageWidthInLinks' | 'retinaAtScreenSize'
>;

/**
 * The link to an upload in the "Link format" setting. A size goes where Obsidian reads it: after `|` in a Markdown
 * image's alt (`![alt|300](url)`), as `width`/`height` on an HTML `<img>`, and after `|` in a custom template's `{alt}`.
 * The size is the label's (a relinked `![[pic.png|300]]` keeps its own), else, with "Image width in links" on, the
 * image's display width (half the pixels of a Retina screenshot unless "Retina images at screen size" is off).
 */
export function uploadedLink(result: LinkSource, settings: LinkSettings, label: EmbedLabel = {}): string {
  const image = result.contentType.toLowerCase().startsWith('image/');
  const hidpi = settings.retinaAtScreenSize;
  const own = settings.imageWidthInLinks ? displaySize(result, { hidpi })?.width : undefined;
  const size = image ? (label.size ?? (own === undefined ? undefined : String(own))) : undefined;
  const alt = label.alt ?? result.filename;
  if (settings.linkFormat === 'custom') {
    return formatLink(result, 'custom', {
      template: settings.customLinkTemplate,
      alt: size ? `${alt}|${size}` : alt,
      hidpi,
    });
  }
  if (settings.linkFormat === 'html') {
    // An <img> carries the image's own width and height (formatLink), or the label's size instead: never both.
    if (!label.size || !image) return formatLink(result, 'html', { alt, hidpi });
    const link = formatLink(result, 'html', { alt, hidpi, dimensions: false });
    const [, width, height] = SIZE.exec(label.size) ?? [];
    return `${link.slice(0, -1)} width="${width}"${height ? ` height="${height}"` : ''}>`;
  }
  const link = formatLink(result, settings.linkFormat, { alt, hidpi });
  if (!size) return link;
  // formatLink escapes every `]` in the alt, so the first `](` ends it.
  const altEnd = link.indexOf('](');
  return `${link.slice(0, altEnd)}|${size}${link.slice(altEnd)}`;
}

/**
 * The link that replaces `link` (to a vault file) once that file is uploaded. A wikilink has no place for a URL, so
 * it becomes a link in the "Link format" setting, keeping its alias as alt text and its `|300` size; any other form
 * keeps its own syntax, text, title and attributes, with only the destination changed.
 */
export function relinkTo(link: MarkdownLink, result: LinkSource, settings: LinkSettings): string {
  return link.kind === 'wiki'
    ? uploadedLink(result, settings, splitLabel(link.label))
    : link.withUrl(result.url);
}
