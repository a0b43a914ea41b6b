import { useCallback, useEffect, useRef, useState } from 'react';
import { documentSpeakers, fromTranscript, UndoStack, type EditResult } from '@ecg/captions';
import type { Caption, CaptionDocument, CaptionLayoutRequest, CaptionProfile, CaptionSpeaker, TranscriptResult } from '@ecg/contracts';
import { conflictVersion, getCaptions, reflowCaptions, restoreCaptions, saveCaptions } from '../api/backend.js';
import { asApiError, type ClientErrorCode } from '../api/http.js';
import { editorProfile } from '../lib/caption-qc.js';
import { giveToSpeaker, mergeInState, namesFor, renameInState, type SpeakerEditRefusal, type SpeakerState } from '../lib/speaker-edits.js';

export type SaveState =
  | { kind: 'idle' }
  | { kind: 'pending' }
  | { kind: 'saving' }
  | { kind: 'saved' }
  | { kind: 'failed'; code: ClientErrorCode }
  | { kind: 'conflict'; currentVersion: number | undefined };

export type LoadState = { kind: 'loading' } | { kind: 'ready' } | { kind: 'error'; code: ClientErrorCode };

/** How a re-flow ended: the new caption count, or why not (the save state says more on a conflict). */
export type ReflowOutcome = { ok: true; count: number } | { ok: false; reason: 'unsaved' | ClientErrorCode };

/** The rules the captions are laid out and checked by, as the server last said. */
export interface EditorLayout {
  request: CaptionLayoutRequest;
  profile: CaptionProfile;
}

/** How a speaker reassignment ended: the speaker the words went to, or why not. */
export type SpeakerOutcome = { ok: true; speaker: CaptionSpeaker } | { ok: false; reason: SpeakerEditRefusal };

const AUTOSAVE_MS = 1000;
const NO_SPEAKERS: CaptionSpeaker[] = [];

/** A document as a state of the history: its captions, and names for every speaker they mention (unnamed ones as `Speaker N`). */
function stateOf(doc: CaptionDocument): SpeakerState {
  return { captions: doc.captions, speakers: documentSpeakers(doc.captions, doc.speakers ?? NO_SPEAKERS) };
}

/** The document as the backend serves it, or one derived from the result when the backend has no caption routes yet. */
async function loadDocument(jobId: string, result: TranscriptResult): Promise<CaptionDocument> {
  try {
    return await getCaptions(jobId);
  } catch (err) {
    const e = asApiError(err);
    if (e.code === 'NOT_FOUND' || e.code === 'BAD_RESPONSE') {
      return { version: 0, captions: fromTranscript(result), edited: false };
    }
    throw e;
  }
}

/**
 * Caption editing state: the undo history, the server version it is based
 * on, and autosave. Each accepted edit is one undo step; autosave sends the
 * latest captions a second after the last edit, with the version they are
 * based on, so a concurrent save elsewhere is reported, never overwritten.
 * The speakers' names are part of each state of the history, so a rename or
 * a reassignment or a merge is one step too, and they are saved with the captions.
 */
export function useCaptionEditor(jobId: string, result: TranscriptResult) {
  const stack = useRef(new UndoStack<SpeakerState>({ captions: [], speakers: NO_SPEAKERS }));
  const [state, setState] = useState<SpeakerState>(stack.current.current);
  const { captions, speakers } = state;
  const [load, setLoad] = useState<LoadState>({ kind: 'loading' });
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const [edited, setEdited] = useState(false);
  const [layout, setLayout] = useState<EditorLayout>(() => ({ request: {}, profile: editorProfile({}, result.language) }));
  const version = useRef(0);
  // The layout each state of the history was laid out under: a re-flow's answer carries its own, an
  // edit keeps its predecessor's. Undoing a re-flow brings the previous layout back with the captions,
  // and the save after it sends that layout, so the server's profile follows too.
  const layoutOf = useRef(new WeakMap<Caption[], EditorLayout>());
  const savedLayout = useRef<CaptionLayoutRequest>({});
  // States by identity: every edit makes a new one, and undoing back to the saved one is "nothing to save".
  const saved = useRef<SpeakerState>(stack.current.current);
  const latest = useRef<SpeakerState>(stack.current.current);
  const inFlight = useRef<Promise<boolean> | null>(null);
  latest.current = state;

  const takeLayout = useCallback(
    (doc: CaptionDocument) => {
      const taken = { request: doc.layout ?? {}, profile: editorProfile(doc, result.language) };
      layoutOf.current.set(doc.captions, taken);
      savedLayout.current = taken.request;
      setLayout(taken);
    },
    [result.language],
  );

  /** Shows a state of the history with the layout it belongs to. */
  const show = useCallback((next: SpeakerState) => {
    setState(next);
    const own = layoutOf.current.get(next.captions);
    if (own) setLayout(own);
  }, []);

  const adopt = useCallback(
    (doc: CaptionDocument) => {
      const loaded = stateOf(doc);
      stack.current.reset(loaded);
      version.current = doc.version;
      saved.current = loaded;
      setState(loaded);
      setEdited(doc.edited);
      takeLayout(doc);
      setSave({ kind: 'idle' });
    },
    [takeLayout],
  );

  const reload = useCallback(async () => {
    setLoad({ kind: 'loading' });
    try {
      adopt(await loadDocument(jobId, result));
      setLoad({ kind: 'ready' });
    } catch (err) {
      setLoad({ kind: 'error', code: asApiError(err).code });
    }
  }, [adopt, jobId, result]);

  useEffect(() => {
    void reload();
  }, [reload]);

  /** Saves the latest captions; answers whether they were saved (true too when nothing was pending). */
  const saveLatest = useCallback(async (): Promise<boolean> => {
    const snapshot = latest.current;
    if (snapshot === saved.current) {
      setSave({ kind: 'saved' });
      return true;
    }
    setSave({ kind: 'saving' });
    try {
      const own = layoutOf.current.get(snapshot.captions)?.request;
      const changesLayout = own !== undefined && JSON.stringify(own) !== JSON.stringify(savedLayout.current);
      // The names always go with the captions: an undo may bring back a name the server no longer has.
      const names = snapshot.speakers.length > 0 ? snapshot.speakers : undefined;
      const res = await saveCaptions(jobId, version.current, snapshot.captions, changesLayout ? own : undefined, names);
      version.current = res.version;
      saved.current = snapshot;
      if (changesLayout) savedLayout.current = own;
      setEdited(true);
      // Edits made while the request was out are saved by the effect below.
      setSave(latest.current === snapshot ? { kind: 'saved' } : { kind: 'pending' });
      return true;
    } catch (err) {
      const e = asApiError(err);
      setSave(
        e.code === 'VERSION_CONFLICT'
          ? { kind: 'conflict', currentVersion: conflictVersion(e) }
          : { kind: 'failed', code: e.code },
      );
      return false;
    }
  }, [jobId]);

  /** One save at a time: a call while one is out answers that save's promise. */
  const startSave = useCallback((): Promise<boolean> => {
    if (inFlight.current) return inFlight.current;
    const p = saveLatest().finally(() => {
      inFlight.current = null;
    });
    inFlight.current = p;
    return p;
  }, [saveLatest]);

  const saveNow = useCallback(async (): Promise<void> => {
    await startSave();
  }, [startSave]);

  /**
   * Saves now whatever is not saved yet, waiting for a save already out, so a
   * server-side export or render sees exactly what is on screen. Answers
   * false when the captions could not be saved (failure or conflict).
   */
  const flush = useCallback(async (): Promise<boolean> => {
    // An edit made while a save is out needs a second save; more than that means edits keep coming.
    for (let attempt = 0; attempt < 3; attempt++) {
      if (inFlight.current && !(await inFlight.current)) return false;
      if (latest.current === saved.current) return true;
      if (!(await startSave())) return false;
    }
    return latest.current === saved.current;
  }, [startSave]);

  useEffect(() => {
    if (load.kind !== 'ready' || state === saved.current) return;
    if (save.kind === 'conflict' || save.kind === 'saving') return;
    if (save.kind !== 'pending' && save.kind !== 'failed') setSave({ kind: 'pending' });
    const timer = setTimeout(() => void saveNow(), AUTOSAVE_MS);
    return () => clearTimeout(timer);
  }, [state, load.kind, save.kind, saveNow]);

  /** Makes `next` the current state as one undo step; its captions keep the layout of the ones before. */
  const push = useCallback((before: SpeakerState, next: SpeakerState) => {
    const inherited = layoutOf.current.get(before.captions);
    if (inherited && next.captions !== before.captions) layoutOf.current.set(next.captions, inherited);
    stack.current.push(next);
    setState(next);
  }, []);

  /** Applies an edit; answers the refusal reason, or null when it was applied. */
  const apply = useCallback(
    (edit: (current: Caption[]) => EditResult) => {
      const before = stack.current.current;
      const r = edit(before.captions);
      if (!r.ok) return r.reason;
      push(before, { captions: r.captions, speakers: namesFor(r.captions, before.speakers) });
      return null;
    },
    [push],
  );

  /** Renames a speaker everywhere at once, as one undo step; false when the name is refused (empty). */
  const renameSpeaker = useCallback(
    (id: string, name: string): boolean => {
      const before = stack.current.current;
      const next = renameInState(before, id, name);
      if (!next) return false;
      if (next !== before) push(before, next);
      return true;
    },
    [push],
  );

  /** Merges speaker `from` into `into` everywhere at once, as one undo step; false when there was nothing to merge. */
  const mergeSpeakers = useCallback(
    (from: string, into: string): boolean => {
      const before = stack.current.current;
      const next = mergeInState(before, from, into);
      if (!next) return false;
      push(before, next);
      return true;
    },
    [push],
  );

  /** Gives a caption, or its words from `fromChar` on, to a speaker (or NEW_SPEAKER), as one undo step. */
  const reassign = useCallback(
    (captionId: string, target: string, fromChar?: number): SpeakerOutcome => {
      const before = stack.current.current;
      const r = giveToSpeaker(before, captionId, target, fromChar);
      if (!r.ok) return r;
      push(before, r.state);
      return { ok: true, speaker: r.speaker };
    },
    [push],
  );

  const undo = useCallback(() => {
    const prev = stack.current.undo();
    if (prev) show(prev);
  }, [show]);

  const redo = useCallback(() => {
    const next = stack.current.redo();
    if (next) show(next);
  }, [show]);

  /** After a conflict: save ours on top of the version now on the server. */
  const overwrite = useCallback(() => {
    if (save.kind === 'conflict' && save.currentVersion !== undefined) version.current = save.currentVersion;
    setSave({ kind: 'pending' });
    void saveNow();
  }, [save, saveNow]);

  /** A refused server-side write (restore, re-flow) shown like a refused save: a conflict offers reload or overwrite. */
  const writeRefused = useCallback((err: unknown): ClientErrorCode => {
    const e = asApiError(err);
    setSave(e.code === 'VERSION_CONFLICT' ? { kind: 'conflict', currentVersion: conflictVersion(e) } : { kind: 'failed', code: e.code });
    return e.code;
  }, []);

  /**
   * A document the server wrote (restore, re-flow) taken as the new current
   * state: one undo step, already saved. Undoing it brings the captions
   * before it back, which autosave then saves as the next version.
   */
  const takeWritten = useCallback(
    (doc: CaptionDocument) => {
      const written = stateOf(doc);
      version.current = doc.version;
      saved.current = written;
      stack.current.push(written);
      setState(written);
      setEdited(doc.edited);
      takeLayout(doc);
      setSave({ kind: 'saved' });
    },
    [takeLayout],
  );

  const restore = useCallback(async () => {
    setSave({ kind: 'saving' });
    try {
      takeWritten(await restoreCaptions(jobId, version.current));
    } catch (err) {
      writeRefused(err);
    }
  }, [jobId, takeWritten, writeRefused]);

  /**
   * Lays the captions out again under `request` on the server, which re-cuts
   * the *saved* captions: unsaved edits are saved first, so none is lost or
   * left out. The answer replaces the captions as one undo step.
   */
  const reflow = useCallback(
    async (request: CaptionLayoutRequest): Promise<ReflowOutcome> => {
      if (!(await flush())) return { ok: false, reason: 'unsaved' };
      setSave({ kind: 'saving' });
      try {
        const doc = await reflowCaptions(jobId, version.current, request);
        takeWritten(doc);
        return { ok: true, count: doc.captions.length };
      } catch (err) {
        return { ok: false, reason: writeRefused(err) };
      }
    },
    [jobId, flush, takeWritten, writeRefused],
  );

  return {
    captions,
    speakers,
    load,
    save,
    edited,
    canUndo: stack.current.canUndo,
    canRedo: stack.current.canRedo,
    dirty: state !== saved.current,
    apply,
    renameSpeaker,
    mergeSpeakers,
    reassign,
    undo,
    redo,
    retry: saveNow,
    flush,
    reload,
    overwrite,
    restore,
    reflow,
    layout,
  };
}
