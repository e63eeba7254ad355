import { accept, reject } from '../decision.js';
import type { HuntCommand } from './hunt-commands.js';
import type { HuntDecision } from './decide-hunt.js';
import { HuntRejectionCode as Code } from './hunt-rejections.js';
import type { HuntState } from './hunt-state.js';
import { stamp } from './stamp.js';
import { firstDueTimer } from './timers.js';

type Of<T extends HuntCommand['type']> = Extract<HuntCommand, { type: T }>;

export function decideSpawn(state: HuntState, command: Of<'spawn'>): HuntDecision {
  if (state.definition) return reject(Code.huntExists, 'a hunt with this id already exists');
  return accept(stamp(state, command, { type: 'hunt-spawned', definition: command.definition }));
}

export function decideLifecycle(state: HuntState, command: Of<'start' | 'pause' | 'resume' | 'end'>): HuntDecision {
  if (state.status === 'ended') return reject(Code.huntEnded, 'the hunt has ended');
  switch (command.type) {
    case 'start':
      if (state.status !== 'draft') return reject(Code.huntAlreadyStarted, 'the hunt has already started');
      return accept(stamp(state, command, { type: 'hunt-started', automatic: false }));
    case 'pause':
      if (state.status !== 'running') return reject(Code.huntNotRunning, 'only a running hunt can be paused');
      return accept(stamp(state, command, { type: 'hunt-paused' }));
    case 'resume':
      if (state.status !== 'paused') return reject(Code.huntNotPaused, 'the hunt is not paused');
      return accept(stamp(state, command, { type: 'hunt-resumed' }));
    case 'end':
      return accept(stamp(state, command, { type: 'hunt-ended', reason: 'designer' }));
  }
}

/** Time passing: the single earliest thing that is due, so each tick stores at most one event. */
export function decideTick(state: HuntState, command: Of<'tick'>): HuntDecision {
  const due = firstDueTimer(state, command.at);
  if (!due) return reject(Code.nothingDue, 'nothing is due');
  return accept(stamp(state, command, due));
}
