export type UiLanguage = 'en' | 'ko';

/** The remembered choice, else the browser's language, else English. */
export function detectLanguage(stored: string | null, browser: readonly string[]): UiLanguage {
  if (stored === 'en' || stored === 'ko') return stored;
  for (const tag of browser) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'ko' || base === 'en') return base;
  }
  return 'en';
}

export type Vars = Record<string, string | number>;

export function format(template: string, vars?: Vars): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}
