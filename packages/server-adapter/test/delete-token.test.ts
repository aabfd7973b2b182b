/** Delete tokens: bound to one owner's object at one key, and the key-only tokens of before owners. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDeleteTokens } from '../src/delete-token';

describe('createDeleteTokens', () => {
  it('verifies its own token for that key and owner only', async () => {
    const tokens = createDeleteTokens('server-secret-for-tests-32-chars-long');
    const token = await tokens.sign('2024/a.png', 'alice');
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    // The owner's name stays out of the URL.
    expect(Buffer.from(token, 'base64url').toString('latin1')).not.toContain('alice');
    const grant = await tokens.check('2024/a.png', token);
    expect(grant).toBeDefined();
    expect(await tokens.covers(grant!, 'alice')).toBe(true);
    expect(await tokens.covers(grant!, 'bob')).toBe(false);
    expect(await tokens.covers(grant!, undefined)).toBe(false);
    expect(await tokens.check('2024/b.png', token)).toBeUndefined();
    const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect(await tokens.check('2024/a.png', flipped)).toBeUndefined();
    // Another owner's tag with this token's MAC: the MAC covers the tag.
    const bobs = Buffer.from(await tokens.sign('2024/a.png', 'bob'), 'base64url');
    const swapped = Buffer.concat([bobs.subarray(0, 8), Buffer.from(token, 'base64url').subarray(8)]);
    expect(await tokens.check('2024/a.png', swapped.toString('base64url'))).toBeUndefined();
    expect(await tokens.check('2024/a.png', 'not base64!')).toBeUndefined();
    expect(await tokens.check('2024/a.png', token.slice(0, -2))).toBeUndefined();
    expect(
      await createDeleteTokens('another-secret-for-tests-32-chars-long').check('2024/a.png', token),
    ).toBeUndefined();
  });

  it('takes a token from before owners (an HMAC of the key) for an object without an owner only', async () => {
    const secret = 'server-secret-for-tests-32-chars-long';
    const tokens = createDeleteTokens(secret);
    const legacy = createHmac('sha256', secret).update('bytedrop-delete:2024/a.png').digest('base64url');
    const grant = await tokens.check('2024/a.png', legacy);
    expect(grant).toEqual({ legacy: true });
    expect(await tokens.covers(grant!, undefined)).toBe(true);
    expect(await tokens.covers(grant!, 'alice')).toBe(false);
    expect(await tokens.check('2024/b.png', legacy)).toBeUndefined();
  });

  it('refuses a secret shorter than 32 characters or bytes, naming the fix', () => {
    for (const secret of ['a', 'x'.repeat(31), new Uint8Array(31)]) {
      expect(() => createDeleteTokens(secret)).toThrow(
        expect.objectContaining({ code: 'ERR_CONFIG', message: expect.stringMatching(/at least 32 random/) }),
      );
    }
    expect(() => createDeleteTokens('x'.repeat(32))).not.toThrow();
  });
});
