import { describe, expect, it } from 'vitest';
import { parseFieldPath } from './field-path';

describe('parseFieldPath', () => {
  it('reads the paths the API names fields with', () => {
    expect(parseFieldPath('metadata.name')).toEqual(['metadata', 'name']);
    expect(parseFieldPath('spec.clusters[0].hard["requests.cpu"]')).toEqual([
      'spec',
      'clusters',
      0,
      'hard',
      'requests.cpu',
    ]);
    expect(parseFieldPath('spec.hard["a\\"b"]')).toEqual(['spec', 'hard', 'a"b']);
    expect(parseFieldPath('apiServer.caData')).toEqual(['apiServer', 'caData']);
  });

  it('keeps what it cannot read as one name', () => {
    expect(parseFieldPath('spec..x')).toEqual(['spec..x']);
    expect(parseFieldPath('a[b]')).toEqual(['a[b]']);
  });
});
