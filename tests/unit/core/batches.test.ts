import { parseSendBatch, toBatches } from '../../../lambda/core/batches';

describe('send batches', () => {
  it('cuts ids in order into batches of at most the size, losing none', () => {
    const ids = Array.from({ length: 123 }, (_, i) => `s${i}`);
    const batches = toBatches(7, ids, 50);
    expect(batches.map((b) => b.subscriberIds.length)).toEqual([50, 50, 23]);
    expect(batches.every((b) => b.issue === 7)).toBe(true);
    expect(batches.flatMap((b) => b.subscriberIds)).toEqual(ids);
    expect(toBatches(1, [], 50)).toEqual([]);
  });

  it('reads a batch back from its message body', () => {
    const body = JSON.stringify({ issue: 3, subscriberIds: ['a', 'b'] });
    expect(parseSendBatch(body)).toEqual({ issue: 3, subscriberIds: ['a', 'b'] });
  });

  it.each([
    ['not JSON', '{'],
    ['no issue', '{"subscriberIds":["a"]}'],
    ['a fractional issue', '{"issue":1.5,"subscriberIds":["a"]}'],
    ['ids not strings', '{"issue":1,"subscriberIds":[1]}'],
    ['an empty id', '{"issue":1,"subscriberIds":[""]}'],
    ['null', 'null'],
  ])('refuses a poisoned body: %s', (_name, body) => {
    expect(() => parseSendBatch(body)).toThrow(SyntaxError);
  });
});
