import { describe, expect, it } from 'vitest';
import { isAgentToken, parseAgentCredential } from './agent-token.js';

const secret = 'Ab-_0123456789abcdefghijklmnopqrstuvwxyzABC';

describe('parseAgentCredential', () => {
  it('tells a registration token from an agent token, and keeps the public id', () => {
    expect(parseAgentCredential(`syr_0123456789ab_${secret}`)).toEqual({
      kind: 'registration',
      token: `syr_0123456789ab_${secret}`,
      id: '0123456789ab',
    });
    expect(parseAgentCredential(`sya_ffffffffffff_${secret}\n`)).toMatchObject({
      kind: 'agent',
      token: `sya_ffffffffffff_${secret}`,
    });
  });

  it('refuses other shapes without echoing the secret', () => {
    for (const bad of [
      `syt_0123456789ab_${secret}`,
      `syr_0123456789AB_${secret}`,
      `syr_0123456789ab_${secret}x`,
      `syr_0123456789ab_${secret.slice(1)}`,
      'agent-token-user-1',
      '',
    ]) {
      expect(() => parseAgentCredential(bad), bad).toThrow(/neither a registration token/);
      try {
        parseAgentCredential(bad);
      } catch (e) {
        expect((e as Error).message).not.toContain(secret.slice(5));
      }
    }
  });
});

describe('isAgentToken', () => {
  it('accepts only sya_ tokens', () => {
    expect(isAgentToken(`sya_0123456789ab_${secret}`)).toBe(true);
    expect(isAgentToken(`syr_0123456789ab_${secret}`)).toBe(false);
    expect(isAgentToken(42)).toBe(false);
  });
});
