import { mergeSources } from '../../../lambda/core/merge';
import { bookmark } from '../../helpers/factories';

const at = (day: number, hour = 12) => new Date(Date.UTC(2026, 10, day, hour)).toISOString();
const TO = at(23);

describe('mergeSources', () => {
  it('keeps one bookmark per normalized URL with the earliest time and the tags of every copy', () => {
    const pinboard = bookmark({ url: 'https://Example.com/a/?utm_source=x', savedAt: at(20), tags: ['web', 'CSS'] });
    const feed = bookmark({ url: 'http://example.com/a#top', savedAt: at(18), tags: ['css', 'layout'] });
    const { bookmarks, duplicate } = mergeSources(
      [
        { bookmarks: [pinboard], from: at(16) },
        { bookmarks: [feed], from: at(16) },
      ],
      TO,
    );
    expect(bookmarks).toEqual([
      {
        url: pinboard.url,
        title: pinboard.title,
        note: pinboard.note,
        tags: ['web', 'CSS', 'layout'],
        savedAt: at(18),
        shared: true,
        toread: false,
      },
    ]);
    expect(duplicate).toBe(1);
  });

  it('takes title and note from the first source, filling an empty one from a later source', () => {
    const first = bookmark({ url: 'https://example.com/x', title: '', note: 'Why it matters.' });
    const second = bookmark({ url: 'https://example.com/x', title: 'The title', note: 'Feed summary' });
    const [merged] = mergeSources(
      [
        { bookmarks: [first], from: at(16) },
        { bookmarks: [second], from: at(16) },
      ],
      TO,
    ).bookmarks;
    expect(merged).toMatchObject({ title: 'The title', note: 'Why it matters.' });
  });

  it.each([
    ['private', { shared: false }, { shared: false }],
    ['to-read', { toread: true }, { toread: true }],
  ])('keeps a link %s when any copy is, whichever source has it', (_what, holdBack, expected) => {
    const url = 'https://example.com/held';
    for (const order of [0, 1]) {
      const copies = [bookmark({ url, ...holdBack }), bookmark({ url })];
      if (order) copies.reverse();
      const [merged] = mergeSources(
        copies.map((b) => ({ bookmarks: [b], from: at(16) })),
        TO,
      ).bookmarks;
      expect(merged).toMatchObject(expected);
    }
  });

  it('applies each source’s own window: a copy outside its window does not count, another inside does', () => {
    const url = 'https://example.com/late';
    // The Pinboard copy is older than Pinboard's window start; the feed, down last time, starts earlier.
    const pinboard = bookmark({ url, savedAt: at(17), tags: ['nodigest'] });
    const feed = bookmark({ url, savedAt: at(18), tags: ['web'] });
    const onlyOld = bookmark({ url: 'https://example.com/old', savedAt: at(17) });
    const result = mergeSources(
      [
        { bookmarks: [pinboard, onlyOld], from: at(19) },
        { bookmarks: [feed], from: at(16) },
      ],
      TO,
    );
    expect(result.bookmarks).toEqual([expect.objectContaining({ url, savedAt: at(18), tags: ['nodigest', 'web'] })]);
    expect(result.outsideWindow).toBe(1);
    expect(result.duplicate).toBe(1);
  });

  it('counts a link outside every window once per copy, and drops links saved after the window end', () => {
    const url = 'https://example.com/future';
    const result = mergeSources(
      [
        { bookmarks: [bookmark({ url, savedAt: at(24) })], from: at(16) },
        { bookmarks: [bookmark({ url, savedAt: at(25) })], from: at(16) },
      ],
      TO,
    );
    expect(result).toEqual({ bookmarks: [], outsideWindow: 2, duplicate: 0 });
  });
});
