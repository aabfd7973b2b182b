// Draws icon.png (128×128): a white drop falling onto a tray, on a blue rounded square. Run `pnpm icon` to redraw.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodePng } from './png.mjs';

const SIZE = 128;
const inRoundedSquare = (x, y) => {
  const r = 24;
  const dx = Math.max(r - x, x - (SIZE - 1 - r), 0);
  const dy = Math.max(r - y, y - (SIZE - 1 - r), 0);
  return dx * dx + dy * dy <= r * r;
};
// A drop: a circle with a point on top.
const inDrop = (x, y) => {
  const cx = 64;
  const cy = 62;
  const r = 20;
  if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) return true;
  return y >= 22 && y < cy && Math.abs(x - cx) <= ((y - 22) / (cy - 22)) * r * 0.95;
};
const inTray = (x, y) =>
  (y >= 94 && y <= 102 && x >= 30 && x <= 98) ||
  (y >= 84 && y <= 102 && ((x >= 30 && x <= 37) || (x >= 91 && x <= 98)));

const png = encodePng(SIZE, SIZE, (x, y) => {
  if (!inRoundedSquare(x, y)) return [0, 0, 0, 0];
  if (inDrop(x, y) || inTray(x, y)) return [255, 255, 255, 255];
  const t = y / SIZE;
  return [Math.round(30 + 20 * t), Math.round(110 - 40 * t), Math.round(220 - 30 * t), 255];
});
writeFileSync(fileURLToPath(new URL('../icon.png', import.meta.url)), png);
