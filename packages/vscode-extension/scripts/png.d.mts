/** Encodes a `width`×`height` RGBA PNG; `pixel(x, y)` returns [r, g, b, a] in 0–255. */
export function encodePng(
  width: number,
  height: number,
  pixel: (x: number, y: number) => readonly number[],
): Buffer;
