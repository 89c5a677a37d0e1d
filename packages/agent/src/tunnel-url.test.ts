import { describe, expect, it } from 'vitest';
import { AgentError } from './errors.js';
import { tunnelUrl } from './tunnel-url.js';

describe('tunnelUrl', () => {
  it('takes wss:// to any host', () => {
    expect(tunnelUrl('wss://shipyard.example.com/api/v1/tunnel').host).toBe('shipyard.example.com');
  });

  it('takes plain ws:// only to a loopback address', () => {
    expect(tunnelUrl('ws://127.0.0.1:8080/api/v1/tunnel').port).toBe('8080');
    expect(tunnelUrl('ws://[::1]:8080/t').hostname).toBe('[::1]');
    expect(() => tunnelUrl('ws://shipyard.example.com/api/v1/tunnel')).toThrow(/only to 127\.0\.0\.1/);
    expect(() => tunnelUrl('ws://localhost:8080/')).toThrow(AgentError);
    expect(() => tunnelUrl('ws://127.0.0.2:8080/')).toThrow(AgentError);
  });

  it('refuses other schemes and non-URLs', () => {
    expect(() => tunnelUrl('https://shipyard.example.com')).toThrow(/must start with wss/);
    expect(() => tunnelUrl('shipyard.example.com')).toThrow(/not a URL/);
  });
});
