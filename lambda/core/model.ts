/**
 * The plain data that flows through the pipeline. Adapters translate raw sources into `Bookmark`;
 * nothing raw (Pinboard's "yes"/"no", space-separated tags, HTML entities) passes further.
 */

/** One saved link, as every source delivers it. Times are ISO-8601 UTC strings (`toISOString()` form). */
export interface Bookmark {
  url: string;
  title: string;
  /** The author's note (Pinboard `extended`), shown under the link as commentary. */
  note: string;
  /** All tags, private ones (leading `.`) included: selection may use them; output never shows them. */
  tags: string[];
  savedAt: string;
  /** `false` for a private bookmark: it never reaches any output. */
  shared: boolean;
  toread: boolean;
}

/** A bookmark as it appears in an issue: public tags only. */
export interface IssueBookmark {
  url: string;
  title: string;
  note: string;
  tags: string[];
  savedAt: string;
}

export interface Section {
  title: string;
  bookmarks: IssueBookmark[];
}

/** The issue model, written as `digest.json` (its shape is a public contract: see docs/FACTS.md). */
export interface IssueModel {
  issue: number;
  subject: string;
  preheader: string;
  window: { from: string; to: string };
  sections: Section[];
  bookmarkCount: number;
  carriedOver: number;
  /** Present when links were checked (`linkCheck.enabled`): each dead candidate and what was done with it. */
  deadLinks?: DeadLink[];
  /**
   * The author's note of the day (review: `note`), as written: plain text or the small Markdown subset of
   * core/note.ts. Shown above the sections; absent when the issue has none.
   */
  editorNote?: string;
  /**
   * Only in a monthly reader's round-up (core/roundup.ts), never in `digest.json`: the issues it holds, oldest
   * first, and how many of their links the size budget left to the archive.
   */
  roundup?: { issues: number[]; more: number };
}

/** One dead link as the run summary and `digest.json` list it (lambda/core/link-check.ts). */
export interface DeadLink {
  url: string;
  title: string;
  /** The HTTP status (404, 410), or null for a DNS or TLS failure. */
  status: number | null;
  reason: string;
  /** `dropped`: left out for good; `held`: left out of this issue, checked again for the next; `marked`: sent with a warning. */
  action: 'dropped' | 'held' | 'marked';
}

export type SubscriberStatus = 'pending' | 'active' | 'unsubscribed' | 'bounced' | 'complained';

/**
 * What a reader chose on their preferences page (core/prefs.ts): absent, every section of every issue. A
 * choice changed while an issue is going out applies from the next one.
 */
export interface ReaderPrefs {
  /** The section titles they take (the config's `sections`, and the other section); absent: all of them. */
  sections?: string[];
  /** `issue` (the default): each issue; `monthly`: one round-up with the first issue of each month. */
  frequency?: 'issue' | 'monthly';
  /** No mail until then (ISO): a pause instead of goodbye. */
  pausedUntil?: string;
}

export interface Subscriber {
  /** Opaque random id; tokens name this, never the email address. */
  id: string;
  email: string;
  name?: string;
  status: SubscriberStatus;
  /** When the reader opted in (for an import, the time the old service recorded). */
  createdAt: string;
  updatedAt: string;
  /** Where the consent came from when it was not given here (e.g. "Mailchimp export"). */
  source?: string;
  /** Their choices; absent: every section of every issue. */
  prefs?: ReaderPrefs;
}

/** The rendered issue: rendered once, personalized per subscriber. */
export interface RenderedIssue {
  subject: string;
  preheader: string;
  html: string;
  text: string;
}

export type IssueStatus = 'composed' | 'sending' | 'sent';

/** What the store keeps of an issue: enough to resume delivery byte for byte after a crash. */
export interface IssueRecord {
  issue: number;
  status: IssueStatus;
  model: IssueModel;
  rendered: RenderedIssue;
  /** Stands in the rendered html/text where each subscriber's unsubscribe URL goes. */
  placeholder: string;
  /** Newest `savedAt` among the links sent: the next issue's window starts here. */
  watermark: string;
  /**
   * Normalized URLs the issue used up, never sent again: every link in it (a link shown at its final URL
   * under both addresses) and every dead link the link check dropped.
   */
  links: string[];
  composedAt: string;
  sentAt?: string;
}

/**
 * `omitted`: nothing was sent to this reader, by their own choice (paused, or their sections hold no link this
 * time): final, as `sent` and `refused` are, so the issue can be done without them.
 */
export type DeliveryState = 'claimed' | 'sent' | 'refused' | 'omitted';

/** A ledger entry that is final: the reader is done with this issue (nothing more is sent to them). */
export const isFinalDelivery = (state: DeliveryState | undefined): boolean =>
  state === 'sent' || state === 'refused' || state === 'omitted';

export interface Delivery {
  issue: number;
  subscriberId: string;
  state: DeliveryState;
  at: string;
  messageId?: string;
  reason?: string;
  /** Which rendering the reader got, when not the whole issue (core/prefs.ts `variantKey`, a round-up's key). */
  variant?: string;
  /**
   * Why an `omitted` reader got nothing: `pause`, `round-up` (it waits for their next round-up) or `sections`
   * (none of theirs had a link). A round-up looks back at these (core/roundup.ts `lookback`).
   */
  omittedFor?: OmittedFor;
}

export type OmittedFor = 'pause' | 'round-up' | 'sections';
