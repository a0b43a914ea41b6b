import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UndoStack } from '../src/index.js';

describe('UndoStack', () => {
  test('undoes and redoes in order', () => {
    const s = new UndoStack('a');
    assert.equal(s.canUndo, false);
    s.push('b');
    s.push('c');
    assert.equal(s.undo(), 'b');
    assert.equal(s.undo(), 'a');
    assert.equal(s.canUndo, false);
    assert.equal(s.undo(), undefined);
    assert.equal(s.current, 'a');
    assert.equal(s.redo(), 'b');
    assert.equal(s.redo(), 'c');
    assert.equal(s.canRedo, false);
    assert.equal(s.redo(), undefined);
    assert.equal(s.current, 'c');
  });

  test('a new edit after an undo drops the redo branch', () => {
    const s = new UndoStack(1);
    s.push(2);
    s.undo();
    assert.equal(s.canRedo, true);
    s.push(3);
    assert.equal(s.canRedo, false);
    assert.equal(s.undo(), 1);
  });

  test('forgets the oldest steps beyond its limit', () => {
    const s = new UndoStack(0, 3);
    for (let i = 1; i <= 5; i++) s.push(i);
    assert.equal(s.undo(), 4);
    assert.equal(s.undo(), 3);
    assert.equal(s.undo(), 2);
    assert.equal(s.canUndo, false);
    assert.equal(s.current, 2);
  });

  test('reset starts a fresh history', () => {
    const s = new UndoStack('x');
    s.push('y');
    s.reset('z');
    assert.equal(s.current, 'z');
    assert.equal(s.canUndo, false);
    assert.equal(s.canRedo, false);
  });

  test('refuses a limit that is not a positive integer', () => {
    assert.throws(() => new UndoStack(0, 0), RangeError);
  });
});
