// Walking a page-numbered GitHub listing while others remove entries from it.
//
// GitHub pages most org listings by number (`per_page`, `page`; the Link header names the last page), not by
// cursor. Walked first page to last, a listing loses entries while it is being read: when an entry on a page
// already read is removed, every later entry moves one place up, and the first entry of the next page slips
// onto the page just read. A mass containment of classic PATs does exactly that to
// `GET /orgs/{org}/credential-authorizations`: each child removes one authorization while the others walk the
// org's list looking for theirs, and a child that missed its own reported "no live credential matches the
// ref" and left the token authorized (one classic PAT of 4,000 refs on the bench; connector.test.ts
// reproduces it).
//
// Walked the other way (page 1 for the Link header, then the last page down to page 2, then page 1 again),
// no entry present all along is missed when entries are only removed or added at the end: an entry's place
// only decreases, the pages read only decrease, and the last read covers the first places. An entry can be
// read twice (it slipped onto the next page down): kept once, by key. Entries added in the middle of the list
// could still be missed. GitHub's documentation states no order for these listings; the emulator lists in
// creation order, new entries last, and this walk assumes the same. The cost is one call more than a forward
// walk, for a list of two pages or more.

/** One page's answer: its entries and its Link header. */
export interface NumberedPage<T> {
  data: T[];
  headers: { link?: string | undefined };
}

/** A query parameter of the URL a Link header names for `rel` (GitHub REST docs: pagination), if any. */
export function linkParam(link: string | undefined, rel: string, param: string): string | undefined {
  const part = link?.split(',').find((p) => p.includes(`rel="${rel}"`));
  const url = part ? /<([^>]+)>/.exec(part)?.[1] : undefined;
  return url ? (new URL(url).searchParams.get(param) ?? undefined) : undefined;
}

/** The number of the page rel="last" names, or undefined (a single page has no Link header). */
export function lastPageOf(link: string | undefined): number | undefined {
  const page = Number(linkParam(link, 'last', 'page'));
  return Number.isInteger(page) && page > 0 ? page : undefined;
}

/**
 * Every entry of a page-numbered listing, read so that none present throughout is lost to removals made while
 * it is read (above); in page order, each key once. `page(n)` fetches page n (1-based) with the caller's
 * `per_page`.
 */
export async function walkPagesLastFirst<T>(page: (n: number) => Promise<NumberedPage<T>>, keyOf: (entry: T) => string | number): Promise<T[]> {
  const first = await page(1);
  const last = lastPageOf(first.headers.link) ?? 1;
  if (last === 1) return first.data;
  const pages: T[][] = [];
  for (let n = last; n >= 2; n--) pages[n] = (await page(n)).data;
  pages[1] = (await page(1)).data;
  const seen = new Set<string | number>();
  const out: T[] = [];
  for (let n = 1; n <= last; n++) {
    for (const entry of pages[n]!) {
      const key = keyOf(entry);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(entry);
    }
  }
  return out;
}
