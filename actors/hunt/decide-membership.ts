import { normaliseAnswer } from '../definition/parse-hunt-definition.js';
import { accept, reject } from '../decision.js';
import type { HuntCommand } from './hunt-commands.js';
import type { HuntDecision } from './decide-hunt.js';
import { HuntRejectionCode as Code } from './hunt-rejections.js';
import { soloCompetitorId, type HuntState } from './hunt-state.js';
import { stamp } from './stamp.js';
import { checkText } from './text-limits.js';

type Of<T extends HuntCommand['type']> = Extract<HuntCommand, { type: T }>;

export function decideJoin(state: HuntState, command: Of<'join'>): HuntDecision {
  const definition = state.definition!;
  if (state.status === 'ended') return reject(Code.huntEnded, 'the hunt has ended');
  if (state.banned[command.playerId] !== undefined) return reject(Code.playerBanned, 'you were removed from this hunt');
  if (state.players[command.playerId]?.active) return reject(Code.alreadyJoined, 'you are already in this hunt');
  const nameProblem = checkText(command.displayName, 'display name', 40);
  if (nameProblem) return reject(Code.invalidInput, nameProblem);
  if (state.activePlayers >= definition.maxPlayers) {
    return reject(Code.huntFull, `the hunt is full (${definition.maxPlayers} players)`);
  }

  if (!definition.teams) {
    if (command.team !== undefined) return reject(Code.teamsDisabled, 'this hunt is played without teams');
    return accept(
      stamp(state, command, {
        type: 'player-joined',
        playerId: command.playerId,
        displayName: command.displayName.trim(),
        competitorId: soloCompetitorId(command.playerId),
      }),
    );
  }

  if (command.team === undefined) return reject(Code.teamRequired, 'this hunt is played in teams: name your team');
  const teamProblem = checkText(command.team, 'team name', 40);
  if (teamProblem) return reject(Code.invalidInput, teamProblem);
  const teamKey = normaliseAnswer(command.team);
  if (teamKey === '') return reject(Code.invalidInput, 'a team name needs letters or digits');
  const competitorId = `t:${teamKey}`;
  const team = state.competitors[competitorId];
  if (team && team.members.length >= definition.teams.maxTeamSize) {
    return reject(Code.teamFull, `team ${team.name} is full (${definition.teams.maxTeamSize} players)`);
  }
  return accept(
    stamp(state, command, {
      type: 'player-joined',
      playerId: command.playerId,
      displayName: command.displayName.trim(),
      competitorId,
      team: team?.name ?? command.team.trim(),
    }),
  );
}

export function decideLeave(state: HuntState, command: Of<'leave'>): HuntDecision {
  if (!state.players[command.playerId]?.active) return reject(Code.notJoined, 'you are not in this hunt');
  return accept(stamp(state, command, { type: 'player-left', playerId: command.playerId }));
}

export function decideKick(state: HuntState, command: Of<'kick'>): HuntDecision {
  if (!state.players[command.playerId] || state.banned[command.playerId] !== undefined) {
    return reject(Code.notJoined, `player ${command.playerId} is not in this hunt`);
  }
  const reasonProblem = checkText(command.reason, 'reason', 200);
  if (reasonProblem) return reject(Code.invalidInput, reasonProblem);
  return accept(stamp(state, command, { type: 'player-kicked', playerId: command.playerId, reason: command.reason.trim() }));
}
