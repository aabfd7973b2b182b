/**
 * The paste-to-final-link rounds both editor clients run: every way once per round, each round in another order, so
 * no way always meets a warmer connection, a fuller disk or a later garbage collection.
 */

/**
 * Runs `ways` (name → async () => ms) for `plan.warmups` unrecorded rounds, then `plan.count` recorded ones; resolves
 * to name → the recorded milliseconds.
 */
export async function rotate(ways, plan) {
  const names = Object.keys(ways);
  const out = Object.fromEntries(names.map((name) => [name, []]));
  for (let i = -plan.warmups; i < plan.count; i++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(i + plan.warmups + k) % names.length];
      const ms = await ways[name]();
      if (i >= 0) out[name].push(ms);
    }
  }
  return out;
}
