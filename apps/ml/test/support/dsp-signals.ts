/**
 * Synthetic test signals for the DSP reference tests (dsp-*.test.ts): each seeded or
 * closed-form, so a failure reproduces exactly.
 */

export const SR = 16_000;

export function sine(hz: number, amplitude: number, seconds: number, sampleRate = SR): Float32Array {
  const x = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < x.length; i++) x[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate);
  return x;
}

/** A linear chirp from f0 to f1 Hz. */
export function chirp(f0: number, f1: number, amplitude: number, seconds: number, sampleRate = SR): Float32Array {
  const x = new Float32Array(Math.round(seconds * sampleRate));
  const rate = (f1 - f0) / seconds;
  for (let i = 0; i < x.length; i++) {
    const t = i / sampleRate;
    x[i] = amplitude * Math.sin(2 * Math.PI * (f0 * t + (rate * t * t) / 2));
  }
  return x;
}

/** Seeded white noise (an LCG), uniform in [−amplitude, amplitude). */
export function whiteNoise(amplitude: number, n: number, seed = 12345): Float32Array {
  let s = seed >>> 0;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = amplitude * ((s / 2 ** 32) * 2 - 1);
  }
  return x;
}

/**
 * A voice the way espeak's formant synthesiser builds one: a harmonic series on an F0 that
 * glides from f0 to f1 with a 5 Hz vibrato, harmonics falling as 1/k and shaped by two
 * formant bumps (500 and 1500 Hz), a little breath noise, and pauses (zeros) between
 * syllables of 0.25 s.
 */
export function harmonicVoice(f0: number, f1: number, seconds: number, seed = 7): Float32Array {
  const x = new Float32Array(Math.round(seconds * SR));
  const noise = whiteNoise(0.002, x.length, seed);
  let phase = 0;
  for (let i = 0; i < x.length; i++) {
    const t = i / SR;
    const syllable = Math.floor(t / 0.25);
    const inPause = syllable % 3 === 2;
    const hz = f0 + ((f1 - f0) * t) / seconds + 3 * Math.sin(2 * Math.PI * 5 * t);
    phase += (2 * Math.PI * hz) / SR;
    if (inPause) continue;
    let v = 0;
    for (let k = 1; k * hz < 7000; k++) {
      const f = k * hz;
      const formants = 1 + 2 * Math.exp(-(((f - 500) / 150) ** 2)) + 1.5 * Math.exp(-(((f - 1500) / 250) ** 2));
      v += (formants / k) * Math.sin(k * phase);
    }
    x[i] = 0.08 * v + noise[i]!;
  }
  return x;
}

export function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
