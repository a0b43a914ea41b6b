import { captionProfile } from '@ecg/captions';
import { CaptionProfileName, type CaptionLayoutRequest, type CaptionProfile } from '@ecg/contracts';
import type { MessageKey } from '../i18n/en.js';
import type { Vars } from '../i18n/translate.js';
import { formatAmount } from './format.js';

/** The profiles in the order the pickers list them: the contract's, so a new one shows up by itself. */
export const PROFILE_NAMES: readonly CaptionProfileName[] = CaptionProfileName.options;

const LABEL_KEYS: Readonly<Record<CaptionProfileName, MessageKey>> = {
  en: 'profile.en',
  latin: 'profile.latin',
  ko: 'profile.ko',
  ja: 'profile.ja',
  'zh-hans': 'profile.zh-hans',
  'zh-hant': 'profile.zh-hant',
};

/**
 * A profile's name as people know it ("English (Netflix, 42 per line)"): the
 * line length is read from the profile itself, so the label cannot drift
 * from the figures the layout engine uses.
 */
export function profileLabel(name: CaptionProfileName): { key: MessageKey; vars: Vars } {
  return { key: LABEL_KEYS[name], vars: { chars: captionProfile(name).max_chars_per_line } };
}

/** The figures a profile holds captions to, for the line under a picker. */
export function profileFigures(profile: CaptionProfile): { key: MessageKey; vars: Vars } {
  return {
    key: 'profile.figures',
    vars: {
      chars: formatAmount(profile.max_chars_per_line),
      lines: profile.max_lines,
      cps: formatAmount(profile.max_chars_per_second),
    },
  };
}

/** What the upload form's caption-style picker holds: a profile or "from the language", and vertical. */
export interface ProfileChoice {
  name: CaptionProfileName | 'auto';
  vertical: boolean;
}

export const AUTO_PROFILE: ProfileChoice = { name: 'auto', vertical: false };

/**
 * request-process's `profile` for a choice: nothing for the default (the
 * server then follows the transcript's language), a bare name where that is
 * all there is to say, the layout request otherwise.
 */
export function layoutRequestFor(choice: ProfileChoice): CaptionProfileName | CaptionLayoutRequest | undefined {
  if (choice.name === 'auto') return choice.vertical ? { vertical: true } : undefined;
  return choice.vertical ? { profile: choice.name, vertical: true } : choice.name;
}

/** A picker value read back as a profile name, or 'auto' for anything else. */
export function readProfileName(value: string): CaptionProfileName | 'auto' {
  const parsed = CaptionProfileName.safeParse(value);
  return parsed.success ? parsed.data : 'auto';
}

/**
 * The re-flow request for what the editor's picker shows. Overrides (set
 * through the API, the editor has no fields for them) are kept when the
 * picker still shows the current profile: "re-flow again" under the same
 * rules. Picking another profile, or turning vertical on or off, asks for
 * that profile as published, since an override such as a line length was
 * chosen for the old one and would defeat the new one.
 */
export function reflowRequest(current: CaptionLayoutRequest, currentProfile: CaptionProfile, picked: { name: CaptionProfileName; vertical: boolean }): CaptionLayoutRequest {
  const same = picked.name === currentProfile.name && picked.vertical === currentProfile.vertical;
  return {
    profile: picked.name,
    vertical: picked.vertical,
    ...(same && current.overrides ? { overrides: current.overrides } : {}),
  };
}
