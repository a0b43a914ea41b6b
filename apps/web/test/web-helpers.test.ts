import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCode } from '@ecg/contracts';
import { en } from '../src/i18n/en.js';
import { ko } from '../src/i18n/ko.js';
import { detectLanguage, format } from '../src/i18n/translate.js';
import { formatClock, parseClock } from '../src/lib/format.js';
import { matchRoute } from '../src/lib/routes.js';

describe('caption clock', () => {
  test('shows minutes:seconds.centiseconds, with hours past one hour', () => {
    assert.equal(formatClock(0), '0:00.00');
    assert.equal(formatClock(62.5), '1:02.50');
    assert.equal(formatClock(3725.5), '1:02:05.50');
    assert.equal(formatClock(59.999), '1:00.00');
  });

  test('reads seconds, minutes:seconds and hours:minutes:seconds, and refuses the rest', () => {
    assert.equal(parseClock('12.5'), 12.5);
    assert.equal(parseClock('1:02.5'), 62.5);
    assert.equal(parseClock(' 1:02:05,5 '), 3725.5);
    assert.equal(parseClock(formatClock(3725.5)), 3725.5);
    assert.equal(parseClock('1:75'), null);
    assert.equal(parseClock('-3'), null);
    assert.equal(parseClock('abc'), null);
    assert.equal(parseClock(''), null);
  });
});

describe('routes', () => {
  test('maps the start page and job links, and nothing else', () => {
    assert.deepEqual(matchRoute('/'), { page: 'start' });
    assert.deepEqual(matchRoute('/jobs/6f1c7a52-3d0c-4d5e-9a51-2f7e1c0b9e11'), { page: 'job', jobId: '6f1c7a52-3d0c-4d5e-9a51-2f7e1c0b9e11' });
    assert.deepEqual(matchRoute('/jobs/abc/'), { page: 'job', jobId: 'abc' });
    assert.deepEqual(matchRoute('/jobs/'), { page: 'missing' });
    assert.deepEqual(matchRoute('/admin'), { page: 'missing' });
  });
});

describe('interface language', () => {
  test('uses the remembered choice, else the first known browser language, else English', () => {
    assert.equal(detectLanguage('ko', ['en-US']), 'ko');
    assert.equal(detectLanguage(null, ['fr-FR', 'ko-KR', 'en']), 'ko');
    assert.equal(detectLanguage('xx', ['EN-gb']), 'en');
    assert.equal(detectLanguage(null, ['de']), 'en');
  });

  test('fills placeholders and leaves unknown ones visible', () => {
    assert.equal(format('{percent}% of {name}', { percent: 40, name: '회의.mp4' }), '40% of 회의.mp4');
    assert.equal(format('{missing} stays', {}), '{missing} stays');
  });

  test('Korean and English carry the same placeholders in every message', () => {
    const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      if (key === 'errors') continue;
      assert.deepEqual(placeholders(ko[key]), placeholders(en[key]), `placeholders of ${key}`);
      assert.notEqual(ko[key].trim(), '', `Korean text of ${key}`);
    }
  });

  test('explains every server error code in both languages', () => {
    for (const code of ErrorCode.options) {
      assert.ok(en.errors[code].what && en.errors[code].todo, `English text for ${code}`);
      assert.ok(ko.errors[code].what && ko.errors[code].todo, `Korean text for ${code}`);
    }
  });
});
