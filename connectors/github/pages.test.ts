// walkPagesLastFirst against a page-numbered list that loses entries while it is read, as an org's SAML
// authorizations do during a mass containment; a forward walk of the same list loses an entry.
import { describe, expect, it } from 'vitest';
import { lastPageOf, walkPagesLastFirst, type NumberedPage } from './pages.ts';

const PER_PAGE = 10;

/** A list of ids 1..n served by page number; `afterRead(n, list)` runs once page n has been answered. */
function numberedList(n: number, afterRead: (page: number, list: number[]) => void) {
  const list = Array.from({ length: n }, (_, i) => i + 1);
  const reads: number[] = [];
  const page = async (p: number): Promise<NumberedPage<number>> => {
    const last = Math.max(1, Math.ceil(list.length / PER_PAGE));
    const data = list.slice((p - 1) * PER_PAGE, p * PER_PAGE);
    const link = last > 1 ? `<https://api.github.test/orgs/o/x?per_page=${PER_PAGE}&page=${Math.min(p + 1, last)}>; rel="next", <https://api.github.test/orgs/o/x?per_page=${PER_PAGE}&page=${last}>; rel="last"` : undefined;
    reads.push(p);
    afterRead(p, list);
    return { data, headers: { link } };
  };
  return { list, page, reads };
}

/** Octokit's forward walk, by page number: page 1, 2, … until no rel="next" (what the connector did before). */
async function forwardWalk(page: (n: number) => Promise<NumberedPage<number>>): Promise<number[]> {
  const out: number[] = [];
  for (let n = 1; ; n++) {
    const r = await page(n);
    out.push(...r.data);
    if (n >= (lastPageOf(r.headers.link) ?? 1)) return out;
  }
}

describe('walkPagesLastFirst', () => {
  it('reads the number of the last page from a Link header', () => {
    expect(lastPageOf('<https://api.github.com/orgs/acme/credential-authorizations?per_page=100&page=2>; rel="next", <https://api.github.com/orgs/acme/credential-authorizations?per_page=100&page=15>; rel="last"')).toBe(15);
    expect(lastPageOf('<https://api.github.com/x?page=1>; rel="prev", <https://api.github.com/x?page=1>; rel="first"')).toBeUndefined();
    expect(lastPageOf(undefined)).toBeUndefined();
  });

  it('misses no entry present throughout while entries before it are removed after every page read; a forward walk misses some', async () => {
    // After each page is read, the first entry still listed goes (another run removing its authorization).
    const removeFirst = (_: number, list: number[]) => void list.splice(0, 1);
    const forward = numberedList(35, removeFirst);
    const seenForward = await forwardWalk(forward.page);
    const survivors = forward.list;
    expect(survivors.filter((id) => !seenForward.includes(id)).length).toBeGreaterThan(0);

    const walked = numberedList(35, removeFirst);
    const seen = await walkPagesLastFirst(walked.page, (id) => id);
    expect(walked.reads).toEqual([1, 4, 3, 2, 1]);
    expect(walked.list.filter((id) => !seen.includes(id))).toEqual([]);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('keeps an entry read twice once, in page order; a single page is read once', async () => {
    // Removing an entry of page 1 after the last page is read moves page 3's first entry onto page 2: read twice.
    const moving = numberedList(25, (p, list) => p === 3 && moving.reads.length === 2 && void list.splice(0, 1));
    const seen = await walkPagesLastFirst(moving.page, (id) => id);
    expect(seen).toEqual(Array.from({ length: 24 }, (_, i) => i + 2));

    const single = numberedList(7, () => {});
    expect(await walkPagesLastFirst(single.page, (id) => id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(single.reads).toEqual([1]);
  });
});
