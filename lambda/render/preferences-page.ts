/**
 * A reader's preferences page (GET /preferences?token=…): which sections they take, every issue or a monthly
 * round-up, and a pause instead of goodbye; one form, sent by POST (the GET changes nothing). Leaving stays one click away: the page links to
 * the reader's own unsubscribe page. Every value is escaped (subscription-pages.ts `html`).
 */
import type { ReaderPrefs } from '../core/model';
import { isPaused, PAUSE_WEEKS } from '../core/prefs';
import { html, type PageSite, page } from './subscription-pages';

export interface PreferencesView {
  email: string;
  /** The sections offered, in order (the config's, then the other section). */
  sections: readonly string[];
  prefs?: ReaderPrefs;
  token: string;
  /** The reader's unsubscribe page (their unsubscribe token, made by the caller). */
  unsubscribeUrl: string;
  /** Shown above the form after a save, or when a choice was refused. */
  notice?: { text: string; error?: boolean };
  /** How the pause's end is written for the reader ("24 December 2026"). */
  dateLabel: (iso: string) => string;
  now: Date;
}

export function preferencesPage(site: PageSite, view: PreferencesView): string {
  const taken = new Set((view.prefs?.sections ?? view.sections).map((s) => s.toLowerCase()));
  const paused = isPaused(view.prefs, view.now);
  const notice = view.notice
    ? html`<p class="${view.notice.error ? 'error' : 'small'}" role="status">${view.notice.text}</p>`
    : '';
  const section = (title: string, i: number) =>
    html`<label for="s${i}"><input type="checkbox" id="s${i}" name="section" value="${title}"${taken.has(title.toLowerCase()) ? html` checked` : ''}> ${title}</label>`;
  const monthly = view.prefs?.frequency === 'monthly';
  const pace = (value: string, label: string, checked: boolean) =>
    html`<label for="f-${value}"><input type="radio" id="f-${value}" name="frequency" value="${value}"${checked ? html` checked` : ''}> ${label}</label>`;
  const pauseChoice = (weeks: number) =>
    html`<label for="p${weeks}"><input type="radio" id="p${weeks}" name="pause" value="${weeks}"> Pause for ${weeks} weeks</label>`;
  return page(
    site,
    'Choose what you get',
    html`<p>For ${view.email}.</p>${notice}
<form method="post" action="preferences">
<input type="hidden" name="token" value="${view.token}">
<fieldset><legend>Sections</legend>${view.sections.map(section)}</fieldset>
<fieldset><legend>How often</legend>
${pace('issue', 'Every issue', !monthly)}
${pace('monthly', 'A monthly round-up: one email with the first issue of each month, holding every link since the last', monthly)}
</fieldset>
<fieldset><legend>Pause</legend>
${paused ? html`<p>Paused until ${view.dateLabel(view.prefs?.pausedUntil as string)}: nothing is sent until then.</p>` : ''}
<label for="p-keep"><input type="radio" id="p-keep" name="pause" value="keep" checked> ${paused ? 'Stay paused' : 'No pause'}</label>
${paused ? html`<label for="p0"><input type="radio" id="p0" name="pause" value="0"> Resume now</label>` : ''}
${PAUSE_WEEKS.map(pauseChoice)}
</fieldset>
<button type="submit">Save my choices</button>
</form>
<p class="small">Had enough? <a href="${view.unsubscribeUrl}">Unsubscribe</a> with one click.</p>`,
    { footer: false },
  );
}
