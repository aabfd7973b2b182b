/**
 * Internal: does an image have frames? Read from its container alone (no decoding), so conversion can leave
 * animations alone instead of flattening them to their first frame.
 */

const ascii = (bytes: Uint8Array, at: number, length: number): string =>
  String.fromCharCode(...bytes.subarray(at, at + length));

/** An APNG says so with an `acTL` chunk before its first `IDAT`. */
function apng(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 8; at + 8 <= bytes.byteLength; ) {
    const type = ascii(bytes, at + 4, 4);
    if (type === 'acTL') return true;
    if (type === 'IDAT') return false;
    at += 12 + view.getUint32(at);
  }
  return false;
}

/** A GIF with a looping extension, or more than one graphic control block (one per frame). */
function gif(bytes: Uint8Array): boolean {
  let controls = 0;
  for (let at = bytes.indexOf(0x21); at !== -1; at = bytes.indexOf(0x21, at + 1)) {
    if (bytes[at + 1] === 0xff && ascii(bytes, at + 3, 11) === 'NETSCAPE2.0') return true;
    if (bytes[at + 1] === 0xf9 && bytes[at + 2] === 0x04 && ++controls > 1) return true;
  }
  return false;
}

/**
 * True for an animated GIF, APNG, WebP (VP8X animation flag) or AVIF image sequence (`avis` brand). The check is
 * cautious: a GIF is scanned for frame markers, which may count a still GIF as animated (it is then stored as is).
 */
export function isAnimated(bytes: Uint8Array, contentType: string): boolean {
  switch (contentType) {
    case 'image/png':
    case 'image/apng':
      return apng(bytes);
    case 'image/gif':
      return gif(bytes);
    case 'image/webp':
      return ascii(bytes, 12, 4) === 'VP8X' && ((bytes[20] ?? 0) & 0x02) !== 0;
    case 'image/avif':
      return ascii(bytes, 8, 4) === 'avis';
    default:
      return false;
  }
}
