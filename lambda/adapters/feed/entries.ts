/** What the XML and JSON readers hand on: each item's fields as text, links not yet resolved or checked. */

export interface FeedEntry {
  /** The item's link as written (it may be relative); undefined when none could be read. */
  link?: string;
  /** `xml:base` values in scope at the link, outermost first (each may be relative to the one before). */
  bases: string[];
  title: string;
  note: string;
  tags: string[];
  /** The item's date as written; undefined when it has none. */
  date?: string;
}

export interface FeedDocument {
  /** `RSS 2.0`, `RSS 0.91`, `RSS (no version, read as 2.0)`, `RSS 1.0 (RDF)`, `Atom`, `JSON Feed 1.1` … */
  format: string;
  /** The feed's own link to its site (its alternate link), as written, and the `xml:base` values in scope there. */
  home?: { link: string; bases: string[] };
  entries: FeedEntry[];
  /** Items that could not be read at all (a JSON item that is not an object), by reason. */
  unreadable: Record<string, number>;
  /**
   * Set when the document was cut off before its end: `entries` are the items complete before the cut;
   * `cutItems` items (0 or 1) were cut in half and left out.
   */
  truncated?: { cutItems: number };
}
