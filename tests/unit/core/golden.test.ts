/**
 * Golden files: each folder under tests/fixtures/golden holds Pinboard-shaped bookmarks and compose
 * inputs next to the expected digest.json. `UPDATE_GOLDEN=1` rewrites the expectations (review the diff).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fromPinboardPosts } from '../../../lambda/adapters/pinboard-post';
import { composeIssue } from '../../../lambda/core/compose';
import { normalizeUrl } from '../../../lambda/core/url';
import { composeOptions, PLACEHOLDER, shippedRenderer } from '../../helpers/factories';

const ROOT = path.join(__dirname, '../../fixtures/golden');
const read = (dir: string, name: string) => JSON.parse(readFileSync(path.join(ROOT, dir, name), 'utf8'));

describe('composeIssue golden files', () => {
  it.each(readdirSync(ROOT))('%s: bookmarks → expected digest.json', async (dir) => {
    const input = read(dir, 'input.json');
    const result = composeIssue({
      bookmarks: fromPinboardPosts(read(dir, 'bookmarks.json'), `${dir}/bookmarks.json`),
      issueNumber: input.issueNumber,
      from: input.from,
      now: input.now,
      sentLinks: new Set((input.sentLinks as string[]).map(normalizeUrl)),
      options: composeOptions(input.options),
      render: await shippedRenderer(),
      placeholder: PLACEHOLDER,
      sampleUnsubscribeUrl: 'https://digest.example.com/unsubscribe?token=x',
    });
    if (result.kind !== 'issue') throw new Error(`expected an issue, got: ${result.reason}`);
    const expectedFile = path.join(ROOT, dir, 'expected.digest.json');
    if (process.env.UPDATE_GOLDEN) writeFileSync(expectedFile, `${JSON.stringify(result.record.model, null, 2)}\n`);
    expect(result.record.model).toEqual(JSON.parse(readFileSync(expectedFile, 'utf8')));
  });
});
