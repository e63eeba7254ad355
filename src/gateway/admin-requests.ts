import type { HuntCommand } from '../../actors/hunt/hunt-commands.js';
import { huntSummary } from '../../actors/hunt/hunt-summary.js';
import { formatDefinitionErrors, parseHuntDefinition } from '../../actors/definition/parse-hunt-definition.js';
import { ErrorCode } from '../../protocol/codes.js';
import type { AdminMessage } from '../../protocol/client-messages.js';
import type { Results } from '../../protocol/server-messages.js';
import { afterUpdatePushed, runHuntCommand } from './outcome.js';
import { RequestError } from './request-error.js';
import type { Session } from './session.js';

type Of<T extends AdminMessage['type']> = Extract<AdminMessage, { type: T }>;
type CommandResult = { duplicate: boolean; update: number };
type CommandMessage = Exclude<AdminMessage, { type: 'admin.status' | 'admin.watch' }>;
type CommandBody = { readonly [K: string]: unknown } & { readonly type: HuntCommand['type'] };

/** A staff message as the hunt command it stands for; the spawn's definition is parsed first. */
function commandOf(msg: CommandMessage): CommandBody {
  switch (msg.type) {
    case 'admin.spawn': {
      const parsed = parseHuntDefinition(msg.definition);
      if (!parsed.ok) {
        throw new RequestError(ErrorCode.invalidDefinition, formatDefinitionErrors(parsed.errors), false, { details: parsed.errors });
      }
      return { type: 'spawn', definition: parsed.definition };
    }
    case 'admin.start':
      return { type: 'start' };
    case 'admin.pause':
      return { type: 'pause' };
    case 'admin.resume':
      return { type: 'resume' };
    case 'admin.end':
      return { type: 'end' };
    case 'admin.edit-clue':
      return {
        type: 'edit-clue',
        clueId: msg.clue,
        ...(msg.title !== undefined ? { title: msg.title } : {}),
        ...(msg.text !== undefined ? { text: msg.text } : {}),
        ...(msg.hints !== undefined ? { hints: msg.hints } : {}),
      };
    case 'admin.release-hint':
      return { type: 'release-hint', clueId: msg.clue, hintIndex: msg.hint };
    case 'admin.announce':
      return { type: 'announce', message: msg.message };
    case 'admin.kick':
      return { type: 'kick', playerId: msg.player, reason: msg.reason };
  }
}

export async function adminCommand(session: Session, msg: CommandMessage): Promise<CommandResult> {
  // Who did what to which hunt, for the operators' log: ids only, never a definition or a text.
  const action = { staff: session.identity.subject, role: session.identity.role, action: msg.type, hunt: msg.hunt, commandId: msg.commandId, ...targetOf(msg) };
  let result: { event: { update: number }; duplicate: boolean };
  try {
    const command = { ...commandOf(msg), commandId: msg.commandId, issuer: session.identity.subject };
    result = await runHuntCommand(session, msg.hunt, command, msg.issuedAt);
  } catch (error) {
    if (error instanceof RequestError) session.ctx.logger.info({ ...action, code: error.code, retriable: error.retriable }, 'staff action refused');
    throw error;
  }
  const { event, duplicate } = result;
  session.ctx.logger.info({ ...action, update: event.update, duplicate }, 'staff action');
  await afterUpdatePushed(session, msg.hunt, event.update);
  return { duplicate, update: event.update };
}

/** The player or clue a staff action is about, when it is about one. */
function targetOf(msg: CommandMessage): { player?: string; clue?: string } {
  if (msg.type === 'admin.kick') return { player: msg.player };
  if (msg.type === 'admin.edit-clue' || msg.type === 'admin.release-hint') return { clue: msg.clue };
  return {};
}

export async function status(session: Session, msg: Of<'admin.status'>): Promise<Results['admin.status']> {
  const replica = await session.ctx.replicas.acquire(msg.hunt);
  try {
    const summary = huntSummary(replica.current);
    if (!summary) throw new RequestError('hunt-not-found', `there is no hunt ${msg.hunt}`);
    return { summary };
  } finally {
    session.ctx.replicas.release(msg.hunt);
  }
}

export async function watch(session: Session, msg: Of<'admin.watch'>): Promise<Results['admin.watch']> {
  const replica = await session.ctx.replicas.acquire(msg.hunt);
  const summary = huntSummary(replica.current);
  if (!summary) {
    session.ctx.replicas.release(msg.hunt);
    throw new RequestError('hunt-not-found', `there is no hunt ${msg.hunt}`);
  }
  session.subscribe(msg.hunt, replica, 'staff');
  return { summary };
}
