/**
 * The two links each reader's copy carries, and where they stand until personalized: the unsubscribe link at
 * the placeholder, the preferences page at the placeholder with `prefs` after it (letters, as the
 * placeholder is, so HTML escaping leaves both intact). Filled longest first, so the one never cuts the other.
 */
export const preferencesPlaceholder = (placeholder: string) => `${placeholder}prefs`;

/** `text` with this reader's links where the placeholders stand (`&` escaped for HTML when `html`). */
export function fillLinks(
  text: string,
  placeholder: string,
  links: { unsubscribe: string; preferences: string },
  html: boolean,
): string {
  const esc = (url: string) => (html ? url.replace(/&/g, '&amp;') : url);
  return text
    .split(preferencesPlaceholder(placeholder))
    .join(esc(links.preferences))
    .split(placeholder)
    .join(esc(links.unsubscribe));
}
