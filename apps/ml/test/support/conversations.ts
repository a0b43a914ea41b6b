/**
 * The synthetic conversations the diarizer's tests and benchmark share:
 * three English voices (two men, one woman, different accents and pitches),
 * two English voices of the same sex, and three Korean voices. Gaps vary as
 * in talk: short hand-overs (0.15–0.3 s), pauses near 1 s, and back-to-back
 * changes (0 s).
 */
import type { ConversationTurn, EspeakVoice } from './espeak-conversation.js';

export const THREE_VOICES: Record<string, EspeakVoice> = {
  anna: { voice: 'en+f2', pitch: 62, speed: 170 },
  bob: { voice: 'en-us+m3', pitch: 38, speed: 160 },
  carl: { voice: 'en-gb-x-rp+m7', pitch: 50, speed: 180 },
};

export const THREE_VOICE_SCRIPT: ConversationTurn[] = [
  { speaker: 'anna', gap: 0, text: 'Good morning everyone, thank you for joining the planning call today.' },
  { speaker: 'bob', gap: 0.3, text: 'Morning. I have the numbers from last week, if you want them first.' },
  { speaker: 'anna', gap: 0.2, text: 'Yes please, go ahead.' },
  { speaker: 'bob', gap: 0.25, text: 'We shipped four releases, and the error rate dropped by almost half after the cache change.' },
  { speaker: 'carl', gap: 1.0, text: 'That matches what I saw on the servers. The memory use is flat now, even on the long files.' },
  { speaker: 'anna', gap: 0.15, text: 'Great. Carl, did the night jobs finish on time?' },
  { speaker: 'carl', gap: 0.3, text: 'Most of them. Two ran late because the storage was slow on Tuesday.' },
  { speaker: 'bob', gap: 0, text: 'That was the backup window, I think. We can move it an hour earlier.' },
  { speaker: 'anna', gap: 0.9, text: 'Let us do that. Who will tell the operations team?' },
  { speaker: 'bob', gap: 0.2, text: 'I will send them a message after this call.' },
  { speaker: 'carl', gap: 0.25, text: 'Please copy me, so I can check the graphs tomorrow morning.' },
  { speaker: 'anna', gap: 1.1, text: 'Next topic. The customer in Berlin asked for captions in three languages by the end of the month.' },
  { speaker: 'carl', gap: 0.3, text: 'German and French are easy. Which is the third one?' },
  { speaker: 'anna', gap: 0.2, text: 'Korean, for their office in Seoul.' },
  { speaker: 'bob', gap: 0.15, text: 'We tested Korean last spring. The timing was good, but the line breaks needed work.' },
  { speaker: 'carl', gap: 1.0, text: 'I can look at the line breaks this week, it should not take long.' },
  { speaker: 'anna', gap: 0, text: 'Thank you. Bob, can you prepare a short demo for them?' },
  { speaker: 'bob', gap: 0.3, text: 'Sure, I will use the interview video they sent us in March.' },
  { speaker: 'carl', gap: 0.2, text: 'Remember to blur the faces in the background, they asked for that last time.' },
  { speaker: 'anna', gap: 0.8, text: 'Good point. Anything else before we close?' },
  { speaker: 'carl', gap: 0.3, text: 'Only that I am away on Friday.' },
  { speaker: 'bob', gap: 0.25, text: 'Noted. Have a good weekend then.' },
  { speaker: 'anna', gap: 0.5, text: 'Thanks everyone, see you next week.' },
];

/** Two men of one accent family at the same pitch: a hard pair the diarizer takes for one voice (`npm run bench` prints it). */
export const TWO_VOICES: Record<string, EspeakVoice> = {
  dan: { voice: 'en-us+m1', pitch: 45, speed: 165 },
  eric: { voice: 'en-gb+m4', pitch: 30, speed: 175 },
};

export const TWO_VOICE_SCRIPT: ConversationTurn[] = [
  { speaker: 'dan', gap: 0, text: 'Did you manage to fix the bicycle over the weekend?' },
  { speaker: 'eric', gap: 0.3, text: 'Almost. The chain is new, but the back brake still rubs against the wheel.' },
  { speaker: 'dan', gap: 0.2, text: 'You probably need to center the caliper. It takes two minutes.' },
  { speaker: 'eric', gap: 0.9, text: 'I tried that twice. Maybe the wheel itself is bent a little.' },
  { speaker: 'dan', gap: 0.25, text: 'Bring it over on Saturday, I have a truing stand in the garage.' },
  { speaker: 'eric', gap: 0, text: 'That would be great. Should I bring anything?' },
  { speaker: 'dan', gap: 0.3, text: 'Just coffee. And maybe the old chain, I collect the links for repairs.' },
  { speaker: 'eric', gap: 1.0, text: 'Deal. I will come around ten, after the market.' },
  { speaker: 'dan', gap: 0.2, text: 'Perfect, see you then.' },
];

/** The two-voice script spoken by a man and a woman of one accent. */
export const MAN_AND_WOMAN: Record<string, EspeakVoice> = {
  dan: { voice: 'en-us+m3', pitch: 40, speed: 165 },
  eric: { voice: 'en-us+f4', pitch: 55, speed: 170 },
};

export const KOREAN_VOICES: Record<string, EspeakVoice> = {
  minji: { voice: 'ko+f3', pitch: 65, speed: 160 },
  junho: { voice: 'ko+m2', pitch: 35, speed: 150 },
  sora: { voice: 'ko+f5', pitch: 50, speed: 170 },
};

export const KOREAN_SCRIPT: ConversationTurn[] = [
  { speaker: 'minji', gap: 0, text: '안녕하세요. 오늘 회의를 시작하겠습니다.' },
  { speaker: 'junho', gap: 0.3, text: '네, 지난주 결과부터 말씀드리겠습니다. 판매가 조금 늘었습니다.' },
  { speaker: 'sora', gap: 0.2, text: '좋은 소식이네요. 어느 지역에서 가장 많이 늘었나요?' },
  { speaker: 'junho', gap: 0.25, text: '부산과 대구에서 많이 늘었습니다.' },
  { speaker: 'minji', gap: 1.0, text: '다음 달 계획도 이야기해 봅시다. 새로운 제품이 나옵니다.' },
  { speaker: 'sora', gap: 0.3, text: '홍보 영상은 제가 준비하겠습니다. 자막도 세 가지 언어로 만들 거예요.' },
  { speaker: 'junho', gap: 0, text: '영어 자막은 제가 확인할게요.' },
  { speaker: 'minji', gap: 0.8, text: '감사합니다. 그럼 금요일까지 초안을 보내 주세요.' },
  { speaker: 'sora', gap: 0.2, text: '알겠습니다. 다음 주에 뵙겠습니다.' },
];

/**
 * Four voices for long generated talk: two women and two men, the men of one
 * accent family and close in pitch, so telling them apart takes more than
 * "high voice, low voice".
 */
export const FOUR_VOICES: Record<string, EspeakVoice> = {
  fay: { voice: 'en+f3', pitch: 60, speed: 165 },
  gail: { voice: 'en-us+f4', pitch: 52, speed: 175 },
  hal: { voice: 'en-us+m2', pitch: 40, speed: 160 },
  ivan: { voice: 'en-gb+m5', pitch: 34, speed: 170 },
};

const SUBJECTS = ['the team', 'our client', 'the new system', 'my brother', 'the museum', 'this project', 'the city council', 'a friend of mine', 'the old server', 'the kitchen'];
const VERBS = ['needs', 'changed', 'found', 'asked for', 'finished', 'moved', 'lost', 'tested', 'cleaned', 'ordered'];
const OBJECTS = ['a better plan', 'the last report', 'three more boxes', 'the whole budget', 'new windows', 'a quiet room', 'the early train', 'fresh coffee', 'the blue folder', 'some extra time'];
const TAILS = ['before lunch', 'last Thursday', 'without telling anyone', 'for the second time', 'in the morning', 'after the meeting', 'at the very end', 'as far as I know', 'this winter', 'on purpose'];
const REPLIES = ['Really?', 'I see.', 'Right, that makes sense.', 'No, not at all.', 'Are you sure about that?', 'Go on.', 'Exactly.', 'Hmm, I am not convinced.'];

/**
 * A conversation of about `minutes` minutes that never repeats itself, from a
 * seeded generator: turns of one to three sentences from a small grammar,
 * short replies now and then, speakers chosen at random (never the same one
 * twice in a row, unless there is only one), gaps from back-to-back to over a second, and each turn's
 * pitch and speed varied around the speaker's own (±6 pitch, ±15 words per
 * minute) the way a voice varies with what it says.
 */
export function generatedScript(random: () => number, minutes: number, voices: readonly string[] = Object.keys(FOUR_VOICES)): ConversationTurn[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const sentence = () => {
    const s = `${pick(SUBJECTS)} ${pick(VERBS)} ${pick(OBJECTS)} ${pick(TAILS)}.`;
    return s[0]!.toUpperCase() + s.slice(1);
  };
  const turns: ConversationTurn[] = [];
  let seconds = 0;
  let last = '';
  while (seconds < minutes * 60) {
    const speaker = pick(voices.length > 1 ? voices.filter((v) => v !== last) : voices);
    // Short replies are what other people say; a monologue has none.
    const reply = voices.length > 1 && random() < 0.2;
    const count = reply ? 1 : 1 + Math.floor(random() * 3);
    const text = reply ? pick(REPLIES) : Array.from({ length: count }, sentence).join(' ');
    const gap = pick([0, 0.15, 0.25, 0.3, 0.5, 0.8, 1.2]);
    turns.push({ speaker, text, gap, pitchShift: Math.round((random() - 0.5) * 12), speedShift: Math.round((random() - 0.5) * 30) });
    // About 2.4 words a second at espeak's speeds, plus the gap.
    seconds += gap + text.split(' ').length / 2.4;
    last = speaker;
  }
  return turns;
}
