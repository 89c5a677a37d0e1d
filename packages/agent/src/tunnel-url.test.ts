import { describe, expect, it } from 'vitest';
import { AgentError } from './errors.js';
import { registerUrl, serverUrl, tunnelUrl } from './tunnel-url.js';

describe('tunnelUrl and registerUrl', () => {
  it('derive wss:// and https:// from an https:// server, keeping a path prefix', () => {
    expect(tunnelUrl('https://shipyard.example.com').href).toBe('wss://shipyard.example.com/api/v1/tunnel');
    expect(registerUrl('https://shipyard.example.com').href).toBe(
      'https://shipyard.example.com/api/v1/agent/register',
    );
    expect(tunnelUrl('https://example.com:8443/shipyard').href).toBe(
      'wss://example.com:8443/shipyard/api/v1/tunnel',
    );
    expect(registerUrl('https://example.com/shipyard/').href).toBe(
      'https://example.com/shipyard/api/v1/agent/register',
    );
  });

  it('derive ws:// and http:// from a loopback http:// server', () => {
    expect(tunnelUrl('http://127.0.0.1:8080').href).toBe('ws://127.0.0.1:8080/api/v1/tunnel');
    expect(registerUrl('http://[::1]:8080').href).toBe('http://[::1]:8080/api/v1/agent/register');
  });
});

describe('serverUrl', () => {
  it('normalises to one form, so that saved state can be matched to --server', () => {
    expect(serverUrl('https://Shipyard.Example.com').href).toBe('https://shipyard.example.com/');
    expect(serverUrl('https://shipyard.example.com:443/').href).toBe('https://shipyard.example.com/');
  });

  it('takes plain http:// only to a loopback address', () => {
    expect(() => serverUrl('http://shipyard.example.com')).toThrow(/only to 127\.0\.0\.1/);
    expect(() => serverUrl('http://localhost:8080/')).toThrow(AgentError);
    expect(() => serverUrl('http://127.0.0.2:8080/')).toThrow(AgentError);
  });

  it('says that a tunnel URL is no longer what --server takes', () => {
    expect(() => serverUrl('wss://shipyard.example.com/api/v1/tunnel')).toThrow(
      /base URL \(https:\/\/shipyard\.example\.com\), not its tunnel URL/,
    );
  });

  it('refuses other schemes, extras and non-URLs', () => {
    expect(() => serverUrl('ftp://shipyard.example.com')).toThrow(/must start with https/);
    expect(() => serverUrl('https://shipyard.example.com/?x=1')).toThrow(/without query/);
    expect(() => serverUrl('shipyard.example.com')).toThrow(/not a URL/);
  });
});
