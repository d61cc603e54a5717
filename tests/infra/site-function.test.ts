/** The CloudFront viewer-request function of the archive, run as CloudFront runs it: handler(event) → request or response. */
import { DIRECTORY_INDEX_FUNCTION } from '../../infra/site';

type Answer = { uri?: string; statusCode?: number; headers?: { location?: { value: string } } };
const handler = new Function(`${DIRECTORY_INDEX_FUNCTION}; return handler;`)() as (event: {
  request: { uri: string };
}) => Answer;
const run = (uri: string) => handler({ request: { uri } });

describe('the archive directory-index function', () => {
  it('serves a folder by its index.html', () => {
    expect(run('/').uri).toBe('/index.html');
    expect(run('/issues/').uri).toBe('/issues/index.html');
    expect(run('/issues/12/').uri).toBe('/issues/12/index.html');
  });

  it('redirects a folder without its slash, so the page’s relative links resolve', () => {
    expect(run('/issues/12')).toEqual({
      statusCode: 301,
      statusDescription: 'Moved Permanently',
      headers: { location: { value: '/issues/12/' } },
    });
  });

  it('leaves files alone', () => {
    for (const uri of ['/site.css', '/issues/atom.xml', '/issues/feed.json', '/issues/12/index.html']) {
      expect(run(uri).uri).toBe(uri);
    }
  });
});
