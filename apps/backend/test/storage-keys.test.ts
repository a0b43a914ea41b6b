import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { attachmentDisposition } from '../src/storage/content-disposition.js';
import { parseRange } from '../src/storage/http-range.js';
import {
  MAX_SAFE_NAME_LENGTH,
  isSafeObjectKey,
  isUploadKey,
  makeUploadKey,
  safeFileName,
} from '../src/storage/keys.js';
import { signLocalUrl, verifyLocalUrl } from '../src/storage/local-url-signing.js';

const at = new Date(Date.UTC(2025, 8, 11, 14, 30, 20));
const fixedHex = () => 'abc12345';
const codePoints = (s: string) => Array.from(s).length;

describe('safeFileName', () => {
  test('keeps a plain name as it is', () => {
    assert.equal(safeFileName('example.mp4'), 'example.mp4');
    assert.equal(safeFileName('my-video_01.MOV'), 'my-video_01.MOV');
  });

  test('keeps Hangul and replaces the space with an underscore', () => {
    assert.equal(safeFileName('회의 녹화.mp4'), '회의_녹화.mp4');
  });

  test('gives the same name for NFC and NFD input', () => {
    const nfc = '회의 녹화.mp4'.normalize('NFC');
    const nfd = '회의 녹화.mp4'.normalize('NFD');
    assert.notEqual(nfc, nfd, 'the fixture must really differ in normalisation');
    assert.equal(safeFileName(nfd), safeFileName(nfc));
    assert.equal(safeFileName(nfd), safeFileName(nfd).normalize('NFC'));
  });

  test('turns path traversal into a plain name without separators or ".."', () => {
    for (const evil of ['../../etc/passwd', '..\\..\\windows\\system32', '/etc/passwd', 'a/../../b.mp4', '....//x.mp4']) {
      const safe = safeFileName(evil);
      assert.ok(!safe.includes('/') && !safe.includes('\\'), `${evil} → ${safe} has a separator`);
      assert.ok(!safe.includes('..'), `${evil} → ${safe} has ".."`);
      assert.ok(!safe.startsWith('.'), `${evil} → ${safe} starts with a dot`);
    }
    assert.equal(safeFileName('../../etc/passwd'), 'etc_passwd');
  });

  test('drops leading dots and dashes so the name is never hidden or an option', () => {
    assert.equal(safeFileName('.bashrc'), 'file.bashrc');
    assert.equal(safeFileName('.hidden_name'), 'hidden_name');
    assert.equal(safeFileName('-rf.mp4'), 'rf.mp4');
    assert.equal(safeFileName('.mp4'), 'file.mp4');
  });

  test('replaces control characters, quotes and URL-special characters', () => {
    const safe = safeFileName('a\u0000b\nc\td\u007f"e?f#g%h&i+j.mp4');
    assert.match(safe, /^[a-j_]+\.mp4$/);
    assert.equal(safe, 'a_b_c_d_e_f_g_h_i_j.mp4');
  });

  test('replaces emoji with an underscore and keeps the rest', () => {
    assert.equal(safeFileName('party 🎉🎉 time.webm'), 'party_time.webm');
  });

  test('bounds a 300-character name to 100 code points and keeps the extension', () => {
    const latin = safeFileName(`${'a'.repeat(300)}.mp4`);
    assert.equal(codePoints(latin), MAX_SAFE_NAME_LENGTH);
    assert.ok(latin.endsWith('.mp4'));
    const korean = safeFileName(`${'녹'.repeat(300)}.mkv`);
    assert.equal(codePoints(korean), MAX_SAFE_NAME_LENGTH);
    assert.ok(korean.endsWith('.mkv'));
  });

  test('never returns an empty name', () => {
    for (const empty of ['', ' ', '...', '/', '🎉', '\u0000', '._-']) assert.equal(safeFileName(empty), 'file');
  });

  test('is a fixed point on random and adversarial input', () => {
    // A deterministic generator so a failure reproduces.
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const alphabet = ['a', 'Z', '9', '.', '.', '_', '-', ' ', '/', '\\', '회', '\u1100', '\u1161', '🎉', '\u0000', 'é', 'e\u0301', '%'];
    const samples = [`${'a'.repeat(90)}_.bbbbbbbb_cc${'x'.repeat(50)}`, 'a-.b_', '..a..b..', `x.${'y'.repeat(20)}`];
    for (let i = 0; i < 3000; i++) {
      const len = next() % 130;
      let s = '';
      for (let j = 0; j < len; j++) s += alphabet[next() % alphabet.length];
      samples.push(s);
    }
    for (const s of samples) {
      const once = safeFileName(s);
      assert.equal(safeFileName(once), once, `not a fixed point for ${JSON.stringify(s)}`);
      assert.ok(codePoints(once) <= MAX_SAFE_NAME_LENGTH && once.length > 0);
      assert.ok(!once.includes('..') && !once.includes('/'));
    }
  });
});

describe('makeUploadKey and isUploadKey', () => {
  test('builds videos/anonymous/<UTC timestamp>_<8 hex>_<safe name>', () => {
    assert.equal(makeUploadKey('example.mp4', at, fixedHex), 'videos/anonymous/20250911_143020_abc12345_example.mp4');
    assert.equal(makeUploadKey('회의 녹화.mp4', at, fixedHex), 'videos/anonymous/20250911_143020_abc12345_회의_녹화.mp4');
  });

  test('gives the same key for NFC and NFD file names', () => {
    const nfd = '회의 녹화.mp4'.normalize('NFD');
    assert.equal(makeUploadKey(nfd, at, fixedHex), makeUploadKey('회의 녹화.mp4', at, fixedHex));
  });

  test('uses fresh random hex by default', () => {
    const a = makeUploadKey('x.mp4', at);
    const b = makeUploadKey('x.mp4', at);
    assert.notEqual(a, b);
    assert.ok(isUploadKey(a) && isUploadKey(b));
  });

  test('refuses a random source that is not 8 hex digits', () => {
    assert.throws(() => makeUploadKey('x.mp4', at, () => '../../../'));
  });

  test('accepts every key it makes, including from hostile names', () => {
    for (const name of ['../../etc/passwd', '', '🎉', `${'a'.repeat(300)}.mp4`, 'a\u0000b', '회의 녹화.mp4'.normalize('NFD')]) {
      const key = makeUploadKey(name, at, fixedHex);
      assert.ok(isUploadKey(key), key);
      assert.ok(isSafeObjectKey(key), key);
    }
  });

  test('refuses keys it could not have made', () => {
    const refused = [
      '',
      'videos/anonymous/20250911_143020_abc12345_',
      'videos/anonymous/20250911_143020_abc12345_../x.mp4',
      'videos/anonymous/20250911_143020_abc12345_a/b.mp4',
      'videos/anonymous/20250911_143020_abc12345_..mp4',
      'videos/anonymous/20250911_143020_abc12345_has space.mp4',
      'videos/anonymous/20250911_143020_ABC12345_x.mp4',
      'videos/anonymous/20251311_143020_abc12345_x.mp4',
      'videos/anonymous/20250911_146020_abc12345_x.mp4',
      'videos/other/20250911_143020_abc12345_x.mp4',
      '/videos/anonymous/20250911_143020_abc12345_x.mp4',
      'waveforms/20250911_143020_abc12345_x.json',
      `videos/anonymous/20250911_143020_abc12345_${'회의 녹화.mp4'.normalize('NFD')}`,
    ];
    for (const key of refused) assert.equal(isUploadKey(key), false, key);
  });
});

describe('isSafeObjectKey', () => {
  test('refuses empty, dot and dot-dot segments, backslashes and control characters', () => {
    for (const key of ['', '/a', 'a/', 'a//b', '.', '..', 'a/../b', 'a/./b', '../etc/passwd', 'a\\b', 'a\u0000b', 'a\nb', 'x'.repeat(1025)]) {
      assert.equal(isSafeObjectKey(key), false, JSON.stringify(key));
    }
    for (const key of ['a', 'videos/anonymous/x.mp4', 'waveforms/회의.json', 'a/..b/c..', 'a%2Fb']) {
      assert.equal(isSafeObjectKey(key), true, key);
    }
  });
});

describe('local URL signing', () => {
  const secret = 'test-secret';
  const key = 'videos/anonymous/20250911_143020_abc12345_x.mp4';
  const now = 1_757_600_000;
  const put = signLocalUrl(secret, { method: 'PUT', key, contentType: 'video/mp4', expires: now + 60 });

  test('accepts the request it signed', () => {
    const verdict = verifyLocalUrl(secret, { method: 'PUT', key, query: put, contentType: 'video/mp4', nowSeconds: now });
    assert.deepEqual(verdict, { ok: true, claims: { method: 'PUT', key, contentType: 'video/mp4', expires: now + 60 } });
  });

  test('refuses another key, method, secret, or an edited query with INVALID_URL_SIGNATURE', () => {
    const cases = [
      { secret, req: { method: 'PUT', key: `${key}x`, query: put, contentType: 'video/mp4' } },
      { secret, req: { method: 'GET', key, query: put } },
      { secret: 'other-secret', req: { method: 'PUT', key, query: put, contentType: 'video/mp4' } },
      { secret, req: { method: 'PUT', key, query: { ...put, 'X-ECG-Expires': String(now + 6000) }, contentType: 'video/mp4' } },
      { secret, req: { method: 'PUT', key, query: { ...put, 'X-ECG-Content-Type': 'video/webm' }, contentType: 'video/webm' } },
      { secret, req: { method: 'PUT', key, query: { ...put, 'X-ECG-Signature': '0'.repeat(64) }, contentType: 'video/mp4' } },
      { secret, req: { method: 'PUT', key, query: {}, contentType: 'video/mp4' } },
    ];
    for (const c of cases) {
      const verdict = verifyLocalUrl(c.secret, { ...c.req, nowSeconds: now });
      assert.equal(verdict.ok ? 'ok' : verdict.code, 'INVALID_URL_SIGNATURE', JSON.stringify(c));
    }
  });

  test('refuses an expired URL with URL_EXPIRED', () => {
    const verdict = verifyLocalUrl(secret, { method: 'PUT', key, query: put, contentType: 'video/mp4', nowSeconds: now + 61 });
    assert.equal(verdict.ok ? 'ok' : verdict.code, 'URL_EXPIRED');
  });

  test('refuses a PUT whose content type differs from the signed one with CONTENT_TYPE_MISMATCH', () => {
    for (const contentType of ['video/webm', undefined, 'video/mp4; charset=x']) {
      const verdict = verifyLocalUrl(secret, { method: 'PUT', key, query: put, contentType, nowSeconds: now });
      assert.equal(verdict.ok ? 'ok' : verdict.code, 'CONTENT_TYPE_MISMATCH');
    }
  });

  test('binds the download name into a GET signature and accepts HEAD for GET', () => {
    const get = signLocalUrl(secret, { method: 'GET', key, expires: now + 60, downloadName: '회의.srt' });
    assert.equal(verifyLocalUrl(secret, { method: 'HEAD', key, query: get, nowSeconds: now }).ok, true);
    const renamed = verifyLocalUrl(secret, { method: 'GET', key, query: { ...get, 'X-ECG-Download-Name': 'x.exe' }, nowSeconds: now });
    assert.equal(renamed.ok ? 'ok' : renamed.code, 'INVALID_URL_SIGNATURE');
  });
});

describe('attachmentDisposition', () => {
  test('carries a Korean name as RFC 5987 UTF-8 with an ASCII fallback', () => {
    assert.equal(
      attachmentDisposition('회의 (1).srt'),
      `attachment; filename="_ (1).srt"; filename*=UTF-8''${encodeURIComponent('회의')}%20%281%29.srt`,
    );
    assert.ok(!attachmentDisposition('a"b\r\n.srt').includes('"b'));
  });
});

describe('parseRange', () => {
  test('reads the single ranges a video element sends', () => {
    assert.deepEqual(parseRange('bytes=0-', 1000), { start: 0, end: 999 });
    assert.deepEqual(parseRange('bytes=100-199', 1000), { start: 100, end: 199 });
    assert.deepEqual(parseRange('bytes=900-5000', 1000), { start: 900, end: 999 });
    assert.deepEqual(parseRange('bytes=-100', 1000), { start: 900, end: 999 });
  });

  test('serves the whole object for no, several or malformed ranges', () => {
    for (const h of [undefined, '', 'bytes=0-1,5-6', 'items=0-1', 'bytes=-', 'bytes=5-3']) assert.equal(parseRange(h, 1000), undefined);
  });

  test('says unsatisfiable for a start past the end', () => {
    assert.equal(parseRange('bytes=1000-', 1000), 'unsatisfiable');
    assert.equal(parseRange('bytes=-0', 1000), 'unsatisfiable');
  });
});
