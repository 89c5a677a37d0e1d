import { describe, expect, it } from 'vitest';
import { foreignOrigin } from './origin.js';

const on = (host: string, origin?: string) => foreignOrigin({ host, origin });

describe('foreignOrigin', () => {
  it('lets through no Origin, and http(s) on the same host:port however it is spelled', () => {
    expect(on('127.0.0.1:8080')).toBeUndefined();
    expect(on('127.0.0.1:8080', 'http://127.0.0.1:8080')).toBeUndefined();
    expect(on('127.0.0.1:8443', 'https://127.0.0.1:8443')).toBeUndefined();
    expect(on('Shipyard.Example', 'https://shipyard.example:443')).toBeUndefined();
    expect(on('shipyard.example:80', 'http://SHIPYARD.example')).toBeUndefined();
    expect(on('[::1]:8080', 'http://[::1]:8080')).toBeUndefined();
  });

  it('refuses another host or port, null, other schemes and what does not parse', () => {
    for (const origin of [
      'https://evil.example',
      'http://127.0.0.1:8081',
      'https://shipyard.example',
      'null',
      'file://',
      'chrome-extension://127.0.0.1:8080',
      'ws://127.0.0.1:8080',
      'not a url',
      '',
    ]) {
      expect(on('127.0.0.1:8080', origin), origin).toMatch(/another origin .* refused/);
    }
    expect(on('shipyard.example', 'http://shipyard.example:8080')).toMatch(/refused/);
    expect(on('evil.example/x', 'http://evil.example/x')).toMatch(/refused/);
  });
});
