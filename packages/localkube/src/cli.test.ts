import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from './cli.js';

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

async function cli(...argv: string[]) {
  const out = sink();
  const err = sink();
  const code = await main(argv, out.stream, err.stream);
  return { code, out: out.text(), err: err.text() };
}

describe('localkube CLI arguments', () => {
  it('prints usage and exits 2 without a command', async () => {
    const r = await cli();
    expect(r.code).toBe(2);
    expect(r.out).toContain('localkube up NAME');
  });

  it.each([
    [['up', 'a', '--nodes', '0'], '--nodes must be a whole number from 1 to 10000, not "0"'],
    [['up', 'a', '--nodes', 'many'], '--nodes must be a whole number'],
    [['up', 'a', '--port', '70000'], '--port must be a whole number from 1 to 65535'],
    [['up'], 'up takes one cluster NAME'],
    [['up', 'a', 'b'], 'up takes one cluster NAME'],
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['up', 'a', '--colour'], "Unknown option '--colour'"],
    [['kubeconfig', 'Bad_Name'], 'invalid cluster name "Bad_Name"'],
  ])('refuses %j with one clear line', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(1);
    expect(r.err.startsWith('localkube: ')).toBe(true);
    expect(r.err).toContain(message);
  });
});
